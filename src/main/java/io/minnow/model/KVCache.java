package io.minnow.model;

import io.minnow.tensor.VectorConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The keys and values of one sequence, for every layer, up to {@code capacity} positions. Allocated once; the
 * engine's pool hands caches to sequences and takes them back. Stored as float32, or as float16 to hold twice the
 * tokens in the same memory (llama.cpp's {@code --cache-type-k/v f16}).
 *
 * <p>The memory is off the Java heap (an automatic {@link Arena}: freed when the cache is no longer reachable), so
 * the garbage collector neither scans nor copies it: with a pool of hundreds of megabytes on the heap, one mixed
 * collection paused a running server for 140 ms. The Java heap then only needs room for requests.
 *
 * <p>Keys are stored transposed, one row per key component over all positions, so that one vector load covers 16
 * consecutive positions: a head's scores over its context are then plain vector FMAs ({@link #keyScores}), with no
 * horizontal sum per position. Values stay one row per position ({@link #weightedValues} sums whole rows).
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
    /** keys[layer]: [kvDim(layer)][capacity], transposed (component-major), elements of {@link #type}. */
    private final MemorySegment[] keys;
    /** values[layer]: [capacity][vDims[layer]] row-major, elements of {@link #type}. */
    private final MemorySegment[] values;
    /** vDims[layer] = nHeadKv(layer) * headDimV: the row length of values[layer]. */
    private final int[] vDims;
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
        vDims = new int[cfg.nLayer];
        for (int l = 0; l < cfg.nLayer; l++) {
            vDims[l] = cfg.nHeadKv(l) * cfg.headDimV;
            keys[l] = arena.allocate((long) type.bytes * capacity * cfg.kvDim(l), 64);
            values[l] = arena.allocate((long) type.bytes * capacity * vDims[l], 64);
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
            for (int j = 0; j < kDim; j++) kc.setAtIndex(F32, (long) j * capacity + pos, k[kOff + j]);
            MemorySegment.copy(v, vOff, vc, F32, 4L * pos * vDim, vDim);
        } else {
            for (int j = 0; j < kDim; j++) {
                kc.setAtIndex(F16, (long) j * capacity + pos, Float.floatToFloat16(k[kOff + j]));
            }
            for (int j = 0; j < vDim; j++) vc.setAtIndex(F16, (long) pos * vDim + j, Float.floatToFloat16(v[vOff + j]));
        }
    }

    private static final VectorSpecies<Float> S = VectorConfig.F_SPECIES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /**
     * {@code out[t] = q[qOff .. qOff+n) · key(from + t)[j0 .. j0+n)} for {@code t < len}: one head's raw scores over
     * positions {@code from .. from+len-1}. Each score is summed over the components in order.
     */
    void keyScores(int layer, int j0, int n, float[] q, int qOff, int from, int len, float[] out) {
        MemorySegment kc = keys[layer];
        if (type != Type.F32) {
            keyScoresHalf(kc, j0, n, q, qOff, from, len, out);
            return;
        }
        long cap = capacity;
        int t = 0;
        if (VectorConfig.ENABLED) {
            int l = S.length();
            // four vectors of positions at a time: four independent FMA chains per component
            for (; t + 4 * l <= len; t += 4 * l) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int d = 0; d < n; d++) {
                    FloatVector qd = FloatVector.broadcast(S, q[qOff + d]);
                    long at = 4 * ((j0 + d) * cap + from + t); // [bytes]
                    a0 = FloatVector.fromMemorySegment(S, kc, at, NATIVE).fma(qd, a0);
                    a1 = FloatVector.fromMemorySegment(S, kc, at + 4L * l, NATIVE).fma(qd, a1);
                    a2 = FloatVector.fromMemorySegment(S, kc, at + 8L * l, NATIVE).fma(qd, a2);
                    a3 = FloatVector.fromMemorySegment(S, kc, at + 12L * l, NATIVE).fma(qd, a3);
                }
                a0.intoArray(out, t);
                a1.intoArray(out, t + l);
                a2.intoArray(out, t + 2 * l);
                a3.intoArray(out, t + 3 * l);
            }
            for (; t < len; t += l) {
                VectorMask<Float> m = S.indexInRange(t, len);
                FloatVector a = FloatVector.zero(S);
                for (int d = 0; d < n; d++) {
                    long at = 4 * ((j0 + d) * cap + from + t);
                    a = FloatVector.fromMemorySegment(S, kc, at, NATIVE, m)
                            .fma(FloatVector.broadcast(S, q[qOff + d]), a);
                }
                a.intoArray(out, t, m);
            }
            return;
        }
        for (; t < len; t++) {
            float s = 0f;
            for (int d = 0; d < n; d++) s = Math.fma(q[qOff + d], kc.getAtIndex(F32, (j0 + d) * cap + from + t), s);
            out[t] = s;
        }
    }

    /**
     * {@code out[oOff + e] = Σ_t (w[t] * scale) * value(from + t)[j0 + e]} for {@code e < n}, {@code t < len}: one
     * head's attention output from its softmax numerators {@code w} and their normaliser {@code scale}.
     */
    void weightedValues(int layer, int j0, int n, float[] w, float scale, int from, int len, float[] out, int oOff) {
        MemorySegment vc = values[layer];
        long vDim = vDims[layer];
        if (type != Type.F32) {
            weightedValuesHalf(vc, vDim, j0, n, w, scale, from, len, out, oOff);
            return;
        }
        int e = 0;
        if (VectorConfig.ENABLED) {
            int l = S.length();
            for (; e + l <= n; e += l) {
                // four positions at a time into four accumulators, added at the end
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                int t = 0;
                for (; t + 4 <= len; t += 4) {
                    long at = 4 * ((from + t) * vDim + j0 + e); // [bytes]
                    a0 = FloatVector.fromMemorySegment(S, vc, at, NATIVE)
                            .fma(FloatVector.broadcast(S, w[t] * scale), a0);
                    a1 = FloatVector.fromMemorySegment(S, vc, at + 4 * vDim, NATIVE)
                            .fma(FloatVector.broadcast(S, w[t + 1] * scale), a1);
                    a2 = FloatVector.fromMemorySegment(S, vc, at + 8 * vDim, NATIVE)
                            .fma(FloatVector.broadcast(S, w[t + 2] * scale), a2);
                    a3 = FloatVector.fromMemorySegment(S, vc, at + 12 * vDim, NATIVE)
                            .fma(FloatVector.broadcast(S, w[t + 3] * scale), a3);
                }
                for (; t < len; t++) {
                    long at = 4 * ((from + t) * vDim + j0 + e);
                    a0 = FloatVector.fromMemorySegment(S, vc, at, NATIVE)
                            .fma(FloatVector.broadcast(S, w[t] * scale), a0);
                }
                a0.add(a1).add(a2.add(a3)).intoArray(out, oOff + e);
            }
        }
        for (; e < n; e++) {
            float s = 0f;
            for (int t = 0; t < len; t++) s += w[t] * scale * vc.getAtIndex(F32, (from + t) * vDim + j0 + e);
            out[oOff + e] = s;
        }
    }

    /**
     * Whether the float16 kernels take their vector path: it needs a short species half the float width, which
     * exists from 128-bit floats on (at 64 bits, a test width, they stay scalar).
     */
    private static final boolean HALF_VECTORS = VectorConfig.ENABLED && S.vectorBitSize() >= 128;
    /** Half-precision lanes: as many as {@link #S} has floats. */
    private static final VectorSpecies<Short> H = HALF_VECTORS
            ? VectorSpecies.of(short.class, VectorShape.forBitSize(S.vectorBitSize() / 2)) : null;
    private static final VectorSpecies<Integer> I = HALF_VECTORS ? S.withLanes(int.class) : null;

    /**
     * Halves as floats, exactly for every finite half: the magnitude bits moved to a float's exponent and mantissa
     * place, times 2^112 (the difference of the two exponent biases; a subnormal half becomes a subnormal float and
     * is scaled the same way), then the sign. Infinities and NaNs come out finite, as nothing finite stores them.
     */
    private static FloatVector halfToFloat(ShortVector hs) {
        IntVector h = (IntVector) hs.convertShape(VectorOperators.S2I, I, 0);
        FloatVector mag = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
        return mag.reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** {@link #keyScores} for float16 keys. */
    private void keyScoresHalf(MemorySegment kc, int j0, int n, float[] q, int qOff, int from, int len, float[] out) {
        long cap = capacity;
        int t = 0;
        if (HALF_VECTORS) {
            int l = S.length();
            for (; t + 2 * l <= len; t += 2 * l) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0;
                for (int d = 0; d < n; d++) {
                    FloatVector qd = FloatVector.broadcast(S, q[qOff + d]);
                    long at = 2 * ((j0 + d) * cap + from + t); // [bytes]
                    a0 = halfToFloat(ShortVector.fromMemorySegment(H, kc, at, NATIVE)).fma(qd, a0);
                    a1 = halfToFloat(ShortVector.fromMemorySegment(H, kc, at + 2L * l, NATIVE)).fma(qd, a1);
                }
                a0.intoArray(out, t);
                a1.intoArray(out, t + l);
            }
            for (; t < len; t += l) {
                VectorMask<Float> m = S.indexInRange(t, len);
                VectorMask<Short> mh = m.cast(H);
                FloatVector a = FloatVector.zero(S);
                for (int d = 0; d < n; d++) {
                    long at = 2 * ((j0 + d) * cap + from + t);
                    a = halfToFloat(ShortVector.fromMemorySegment(H, kc, at, NATIVE, mh))
                            .fma(FloatVector.broadcast(S, q[qOff + d]), a);
                }
                a.intoArray(out, t, m);
            }
            return;
        }
        for (; t < len; t++) {
            float s = 0f;
            for (int d = 0; d < n; d++) {
                s = Math.fma(q[qOff + d], Float.float16ToFloat(kc.getAtIndex(F16, (j0 + d) * cap + from + t)), s);
            }
            out[t] = s;
        }
    }

    /** {@link #weightedValues} for float16 values. */
    private static void weightedValuesHalf(MemorySegment vc, long vDim, int j0, int n, float[] w, float scale, int from,
            int len, float[] out, int oOff) {
        int e = 0;
        if (HALF_VECTORS) {
            int l = S.length();
            for (; e + l <= n; e += l) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0;
                int t = 0;
                for (; t + 2 <= len; t += 2) {
                    long at = 2 * ((from + t) * vDim + j0 + e); // [bytes]
                    a0 = halfToFloat(ShortVector.fromMemorySegment(H, vc, at, NATIVE))
                            .fma(FloatVector.broadcast(S, w[t] * scale), a0);
                    a1 = halfToFloat(ShortVector.fromMemorySegment(H, vc, at + 2 * vDim, NATIVE))
                            .fma(FloatVector.broadcast(S, w[t + 1] * scale), a1);
                }
                if (t < len) {
                    long at = 2 * ((from + t) * vDim + j0 + e);
                    a0 = halfToFloat(ShortVector.fromMemorySegment(H, vc, at, NATIVE))
                            .fma(FloatVector.broadcast(S, w[t] * scale), a0);
                }
                a0.add(a1).intoArray(out, oOff + e);
            }
        }
        for (; e < n; e++) {
            float s = 0f;
            for (int t = 0; t < len; t++) {
                s += w[t] * scale * Float.float16ToFloat(vc.getAtIndex(F16, (from + t) * vDim + j0 + e));
            }
            out[oOff + e] = s;
        }
    }
}
