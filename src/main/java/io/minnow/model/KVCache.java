package io.minnow.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The keys and values of one sequence, for every layer, up to {@code capacity} positions. Allocated once; the
 * engine's pool hands caches to sequences and takes them back. Stored as float32, or as float16 to hold twice the
 * tokens in the same memory (llama.cpp's {@code --cache-type-k/v f16}).
 *
 * <p>The memory is off the Java heap (an automatic {@link Arena}: freed when the cache is no longer reachable), so
 * the garbage collector neither scans nor copies it: with a pool of hundreds of megabytes on the heap, one mixed
 * collection paused a running server for 140 ms. The Java heap then only needs room for requests.
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

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT;

    private final Type type;
    /** keys[layer]: [capacity][kvDim(layer)] row-major, elements of {@link #type}. */
    private final MemorySegment[] keys;
    /** values[layer]: [capacity][nHeadKv(layer) * headDimV], elements of {@link #type}. */
    private final MemorySegment[] values;
    private final int capacity;
    private final long bytes;

    public KVCache(ModelConfig cfg, int capacity) {
        this(cfg, capacity, Type.F32);
    }

    /** @throws OutOfMemoryError when the memory cannot be allocated (at start-up, where the pool is built) */
    public KVCache(ModelConfig cfg, int capacity, Type type) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("KV cache capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.type = type;
        Arena arena = Arena.ofAuto();
        keys = new MemorySegment[cfg.nLayer];
        values = new MemorySegment[cfg.nLayer];
        for (int l = 0; l < cfg.nLayer; l++) {
            keys[l] = arena.allocate((long) type.bytes * capacity * cfg.kvDim(l), 64);
            values[l] = arena.allocate((long) type.bytes * capacity * cfg.nHeadKv(l) * cfg.headDimV, 64);
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
        if (pos < 0 || pos >= capacity) {
            throw new IndexOutOfBoundsException("position " + pos + " outside the KV cache of " + capacity);
        }
        MemorySegment kc = keys[layer], vc = values[layer];
        if (type == Type.F32) {
            MemorySegment.copy(k, kOff, kc, F32, 4L * pos * kDim, kDim);
            MemorySegment.copy(v, vOff, vc, F32, 4L * pos * vDim, vDim);
        } else {
            for (int j = 0; j < kDim; j++) kc.setAtIndex(F16, (long) pos * kDim + j, Float.floatToFloat16(k[kOff + j]));
            for (int j = 0; j < vDim; j++) vc.setAtIndex(F16, (long) pos * vDim + j, Float.floatToFloat16(v[vOff + j]));
        }
    }

    /** q[qOff .. qOff+n) · keys[layer][off .. off+n) (element offsets). */
    float dotKey(int layer, int off, float[] q, int qOff, int n) {
        MemorySegment kc = keys[layer];
        if (type == Type.F32) {
            return VectorMath.dot(q, qOff, kc, off, n);
        }
        float s = 0f;
        for (int j = 0; j < n; j++) s += q[qOff + j] * Float.float16ToFloat(kc.getAtIndex(F16, (long) off + j));
        return s;
    }

    /** out[outOff .. outOff+n) += alpha * values[layer][off .. off+n) (element offsets). */
    void addValue(int layer, int off, float alpha, float[] out, int outOff, int n) {
        MemorySegment vc = values[layer];
        if (type == Type.F32) {
            VectorMath.axpy(alpha, vc, off, out, outOff, n);
            return;
        }
        for (int j = 0; j < n; j++) out[outOff + j] += alpha * Float.float16ToFloat(vc.getAtIndex(F16, (long) off + j));
    }
}
