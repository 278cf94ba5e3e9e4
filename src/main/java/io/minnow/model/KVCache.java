package io.minnow.model;

/**
 * The keys and values of one sequence, for every layer, up to {@code capacity} positions. Allocated once; the
 * engine's pool hands caches to sequences and takes them back. Stored as float32, or as float16 to hold twice the
 * tokens in the same memory (llama.cpp's {@code --cache-type-k/v f16}).
 */
public final class KVCache {
    /** Element type of the stored keys and values. */
    public enum Type {
        F32(4), F16(2);

        public final int bytes;

        Type(int bytes) {
            this.bytes = bytes;
        }
    }

    private final Type type;
    /** F32 keys[layer]: [capacity][kvDim(layer)] row-major; null for F16. */
    private final float[][] keys;
    /** F32 values[layer]: [capacity][nHeadKv(layer) * headDimV]; null for F16. */
    private final float[][] values;
    /** F16 keys and values, same layout; null for F32. */
    private final short[][] keysH;
    private final short[][] valuesH;
    private final int capacity;
    private final long bytes;

    public KVCache(ModelConfig cfg, int capacity) {
        this(cfg, capacity, Type.F32);
    }

    public KVCache(ModelConfig cfg, int capacity, Type type) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("KV cache capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.type = type;
        boolean half = type == Type.F16;
        keys = half ? null : new float[cfg.nLayer][];
        values = half ? null : new float[cfg.nLayer][];
        keysH = half ? new short[cfg.nLayer][] : null;
        valuesH = half ? new short[cfg.nLayer][] : null;
        for (int l = 0; l < cfg.nLayer; l++) {
            int k = Math.multiplyExact(capacity, cfg.kvDim(l));
            int v = Math.multiplyExact(capacity, cfg.nHeadKv(l) * cfg.headDimV);
            if (half) {
                keysH[l] = new short[k];
                valuesH[l] = new short[v];
            } else {
                keys[l] = new float[k];
                values[l] = new float[v];
            }
        }
        bytes = bytesFor(cfg, capacity, type);
    }

    /** Bytes a float32 cache of this capacity takes, without allocating it. */
    public static long bytesFor(ModelConfig cfg, int capacity) {
        return bytesFor(cfg, capacity, Type.F32);
    }

    public static long bytesFor(ModelConfig cfg, int capacity, Type type) {
        long b = 0;
        for (int l = 0; l < cfg.nLayer; l++) {
            b += (long) type.bytes * capacity * (cfg.kvDim(l) + (long) cfg.nHeadKv(l) * cfg.headDimV);
        }
        return b;
    }

    public Type type() {
        return type;
    }

    public int capacity() {
        return capacity;
    }

    public long bytes() {
        return bytes;
    }

    /** Stores one position's keys ({@code kDim} floats) and values ({@code vDim} floats) of a layer. */
    void store(int layer, int pos, float[] k, int kOff, int kDim, float[] v, int vOff, int vDim) {
        if (type == Type.F32) {
            System.arraycopy(k, kOff, keys[layer], pos * kDim, kDim);
            System.arraycopy(v, vOff, values[layer], pos * vDim, vDim);
        } else {
            short[] kh = keysH[layer], vh = valuesH[layer];
            for (int j = 0; j < kDim; j++) kh[pos * kDim + j] = Float.floatToFloat16(k[kOff + j]);
            for (int j = 0; j < vDim; j++) vh[pos * vDim + j] = Float.floatToFloat16(v[vOff + j]);
        }
    }

    /** q[qOff .. qOff+n) · keys[layer][off .. off+n). */
    float dotKey(int layer, int off, float[] q, int qOff, int n) {
        if (type == Type.F32) {
            return VectorMath.dot(q, qOff, keys[layer], off, n);
        }
        short[] kh = keysH[layer];
        float s = 0f;
        for (int j = 0; j < n; j++) s += q[qOff + j] * Float.float16ToFloat(kh[off + j]);
        return s;
    }

    /** out[outOff .. outOff+n) += alpha * values[layer][off .. off+n). */
    void addValue(int layer, int off, float alpha, float[] out, int outOff, int n) {
        if (type == Type.F32) {
            VectorMath.axpy(alpha, values[layer], off, out, outOff, n);
            return;
        }
        short[] vh = valuesH[layer];
        for (int j = 0; j < n; j++) out[outOff + j] += alpha * Float.float16ToFloat(vh[off + j]);
    }
}
