package io.minnow.model;

import io.minnow.tensor.VectorConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
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
 * <p>Each KV head's keys and values are contiguous, so that attention reads one sequential run per head, which the
 * hardware prefetcher follows (a decode step finds them evicted by the weights it streamed since the last one):
 * <ul>
 * <li>Keys are stored in blocks of {@link #KB} positions, transposed inside a block: one row of {@code KB}
 * positions per key component. One vector load then covers consecutive positions, and a head's scores over its
 * context are plain vector FMAs ({@link #keyScores}), with no horizontal sum per position. Before, keys were one
 * row per component over the whole capacity: a head's keys were 64 short runs, each a capacity apart, and
 * attention at short contexts cost more than its arithmetic by an order of magnitude.</li>
 * <li>Values stay one row per position ({@link #weightedValues} sums whole rows).</li>
 * </ul>
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
    private static final VectorSpecies<Float> S = VectorConfig.F_SPECIES;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** Positions per key block: 16, or a whole float vector where that is longer. */
    static final int KB = Math.max(16, S.length());

    private final Type type;
    /** keys[layer]: [nHeadKv(layer)][blocks][headDimK][KB], elements of {@link #type}. */
    private final MemorySegment[] keys;
    /** values[layer]: [nHeadKv(layer)][capacity][headDimV], elements of {@link #type}. */
    private final MemorySegment[] values;
    private final int headDimK;
    private final int headDimV;
    private final int capacity;
    /** Key blocks per head: capacity / KB, rounded up. */
    private final long blocks;
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
        this.headDimK = cfg.headDimK;
        this.headDimV = cfg.headDimV;
        this.blocks = (capacity + KB - 1) / KB;
        Arena arena = Arena.ofAuto();
        keys = new MemorySegment[cfg.nLayer];
        values = new MemorySegment[cfg.nLayer];
        for (int l = 0; l < cfg.nLayer; l++) {
            keys[l] = arena.allocate((long) type.bytes * blocks * KB * cfg.kvDim(l), 64);
            values[l] = arena.allocate((long) type.bytes * capacity * cfg.nHeadKv(l) * cfg.headDimV, 64);
        }
        bytes = bytesFor(cfg, capacity, type);
    }

    /** Bytes a float32 cache of this capacity takes, without allocating it. */
    public static long bytesFor(ModelConfig cfg, int capacity) {
        return bytesFor(cfg, capacity, Type.F32);
    }

    public static long bytesFor(ModelConfig cfg, int capacity, Type type) {
        long keyPositions = (capacity + KB - 1L) / KB * KB;
        long b = 0;
        for (int l = 0; l < cfg.nLayer; l++) {
            b += (long) type.bytes * (keyPositions * cfg.kvDim(l) + (long) capacity * cfg.nHeadKv(l) * cfg.headDimV);
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

    /** The element index of component {@code d} of KV head {@code h}'s key at {@code pos}. */
    private long keyIndex(int h, int pos, int d) {
        return (((long) h * blocks + pos / KB) * headDimK + d) * KB + pos % KB;
    }

    /**
     * Stores one position's keys ({@code kDim = nHeadKv * headDimK} floats, head by head) and values
     * ({@code vDim = nHeadKv * headDimV} floats) of a layer.
     */
    void store(int layer, int pos, float[] k, int kOff, int kDim, float[] v, int vOff, int vDim) {
        if (pos < 0 || pos >= capacity) {
            throw new IndexOutOfBoundsException("position " + pos + " outside the KV cache of " + capacity);
        }
        MemorySegment kc = keys[layer], vc = values[layer];
        for (int h = 0; h < kDim / headDimK; h++) {
            long at = keyIndex(h, pos, 0);
            int src = kOff + h * headDimK;
            for (int d = 0; d < headDimK; d++) {
                if (type == Type.F32) {
                    kc.setAtIndex(F32, at + (long) d * KB, k[src + d]);
                } else {
                    kc.setAtIndex(F16, at + (long) d * KB, Float.floatToFloat16(k[src + d]));
                }
            }
        }
        for (int h = 0; h < vDim / headDimV; h++) {
            long at = ((long) h * capacity + pos) * headDimV;
            int src = vOff + h * headDimV;
            if (type == Type.F32) {
                MemorySegment.copy(v, src, vc, F32, 4 * at, headDimV);
            } else {
                for (int e = 0; e < headDimV; e++) {
                    vc.setAtIndex(F16, at + e, Float.floatToFloat16(v[src + e]));
                }
            }
        }
    }

    /** How long a scores array {@link #keyScores} needs for {@code len} positions. */
    static int scoresLength(int len) {
        return len + 2 * KB;
    }

    /**
     * One head's raw scores over positions {@code from .. from+len-1}: {@code out[shift + t] = q[qOff .. qOff+d) ·
     * key(from + t)} for {@code t < len}, where {@code shift} (returned, less than {@link #KB}) is where position
     * {@code from} falls in its key block: whole blocks are computed. {@code out} holds at least
     * {@link #scoresLength}{@code (len)} floats. Each score is summed over the components in order.
     *
     * @param kvh the KV head
     */
    int keyScores(int layer, int kvh, float[] q, int qOff, int from, int len, float[] out) {
        MemorySegment kc = keys[layer];
        int shift = from % KB;
        if (!VectorConfig.ENABLED || type == Type.F16 && !HALF_VECTORS) {
            for (int t = 0; t < len; t++) {
                long at = keyIndex(kvh, from + t, 0);
                float s = 0f;
                for (int d = 0; d < headDimK; d++) {
                    float key = type == Type.F32 ? kc.getAtIndex(F32, at + (long) d * KB)
                            : Float.float16ToFloat(kc.getAtIndex(F16, at + (long) d * KB));
                    s = Math.fma(q[qOff + d], key, s);
                }
                out[shift + t] = s;
            }
            return shift;
        }
        if (type == Type.F16) {
            keyScoresHalf(kc, kvh, q, qOff, from - shift, shift + len, out);
            return shift;
        }
        int p0 = from - shift; // the first position of from's block
        int l = S.length();
        int nv = (shift + len + l - 1) / l; // vectors of positions from p0 (none crosses a block: KB % l == 0)
        long row = 4L * KB; // [bytes] from one component's row of a block to the next
        int v = 0;
        // four vectors of positions at a time: four independent FMA chains per component
        for (; v + 4 <= nv; v += 4) {
            long a0 = 4 * keyIndex(kvh, p0 + v * l, 0), a1 = 4 * keyIndex(kvh, p0 + (v + 1) * l, 0); // [bytes]
            long a2 = 4 * keyIndex(kvh, p0 + (v + 2) * l, 0), a3 = 4 * keyIndex(kvh, p0 + (v + 3) * l, 0);
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int d = 0; d < headDimK; d++) {
                FloatVector qd = FloatVector.broadcast(S, q[qOff + d]);
                long o = d * row;
                s0 = FloatVector.fromMemorySegment(S, kc, a0 + o, NATIVE).fma(qd, s0);
                s1 = FloatVector.fromMemorySegment(S, kc, a1 + o, NATIVE).fma(qd, s1);
                s2 = FloatVector.fromMemorySegment(S, kc, a2 + o, NATIVE).fma(qd, s2);
                s3 = FloatVector.fromMemorySegment(S, kc, a3 + o, NATIVE).fma(qd, s3);
            }
            s0.intoArray(out, v * l);
            s1.intoArray(out, (v + 1) * l);
            s2.intoArray(out, (v + 2) * l);
            s3.intoArray(out, (v + 3) * l);
        }
        for (; v < nv; v++) {
            long a = 4 * keyIndex(kvh, p0 + v * l, 0);
            FloatVector s = FloatVector.zero(S);
            for (int d = 0; d < headDimK; d++) {
                s = FloatVector.fromMemorySegment(S, kc, a + d * row, NATIVE)
                        .fma(FloatVector.broadcast(S, q[qOff + d]), s);
            }
            s.intoArray(out, v * l);
        }
        return shift;
    }

    /**
     * {@link #keyScores} for float16 keys, in its own method: inside the float32 kernel's method, C2 left
     * {@link #halfToFloat} out of line, which boxed every vector (177 MB per smollm2 token after 1,800 positions).
     * {@code n} positions from {@code p0}, the start of a key block.
     */
    private void keyScoresHalf(MemorySegment kc, int kvh, float[] q, int qOff, int p0, int n, float[] out) {
        int l = S.length();
        int nv = (n + l - 1) / l;
        long row = 2L * KB;
        int v = 0;
        for (; v + 2 <= nv; v += 2) {
            long a0 = 2 * keyIndex(kvh, p0 + v * l, 0), a1 = 2 * keyIndex(kvh, p0 + (v + 1) * l, 0); // [bytes]
            FloatVector s0 = FloatVector.zero(S), s1 = s0;
            for (int d = 0; d < headDimK; d++) {
                FloatVector qd = FloatVector.broadcast(S, q[qOff + d]);
                long o = d * row;
                s0 = halfToFloat(ShortVector.fromMemorySegment(H, kc, a0 + o, NATIVE)).fma(qd, s0);
                s1 = halfToFloat(ShortVector.fromMemorySegment(H, kc, a1 + o, NATIVE)).fma(qd, s1);
            }
            s0.intoArray(out, v * l);
            s1.intoArray(out, (v + 1) * l);
        }
        for (; v < nv; v++) {
            long a = 2 * keyIndex(kvh, p0 + v * l, 0);
            FloatVector s = FloatVector.zero(S);
            for (int d = 0; d < headDimK; d++) {
                s = halfToFloat(ShortVector.fromMemorySegment(H, kc, a + d * row, NATIVE))
                        .fma(FloatVector.broadcast(S, q[qOff + d]), s);
            }
            s.intoArray(out, v * l);
        }
    }

    /**
     * {@code out[oOff + e] = scale * Σ_t w[wOff + t] * value(from + t)[e]} for {@code e < headDimV}, {@code t < len}:
     * one head's attention output from its softmax numerators {@code w} and their normaliser {@code scale}.
     *
     * @param kvh the KV head
     */
    void weightedValues(int layer, int kvh, float[] w, int wOff, float scale, int from, int len, float[] out,
            int oOff) {
        MemorySegment vc = values[layer];
        long base = ((long) kvh * capacity + from) * headDimV; // element index of position from's row
        int n = headDimV;
        int e = 0;
        if (VectorConfig.ENABLED && type == Type.F16 && HALF_VECTORS) {
            e = weightedValuesHalf(vc, base, w, wOff, scale, len, out, oOff);
        } else if (VectorConfig.ENABLED && type == Type.F32) {
            int l = S.length();
            long row = 4L * n; // [bytes] per position
            // two vectors of components and four positions at a time: eight independent FMA chains
            for (; e + 2 * l <= n; e += 2 * l) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                long at = 4 * (base + e); // [bytes]
                long atHi = at + 4L * l;
                int t = 0;
                for (; t + 4 <= len; t += 4) {
                    FloatVector w0 = FloatVector.broadcast(S, w[wOff + t]);
                    FloatVector w1 = FloatVector.broadcast(S, w[wOff + t + 1]);
                    FloatVector w2 = FloatVector.broadcast(S, w[wOff + t + 2]);
                    FloatVector w3 = FloatVector.broadcast(S, w[wOff + t + 3]);
                    long o = t * row;
                    a0 = FloatVector.fromMemorySegment(S, vc, at + o, NATIVE).fma(w0, a0);
                    b0 = FloatVector.fromMemorySegment(S, vc, atHi + o, NATIVE).fma(w0, b0);
                    a1 = FloatVector.fromMemorySegment(S, vc, at + o + row, NATIVE).fma(w1, a1);
                    b1 = FloatVector.fromMemorySegment(S, vc, atHi + o + row, NATIVE).fma(w1, b1);
                    a2 = FloatVector.fromMemorySegment(S, vc, at + o + 2 * row, NATIVE).fma(w2, a2);
                    b2 = FloatVector.fromMemorySegment(S, vc, atHi + o + 2 * row, NATIVE).fma(w2, b2);
                    a3 = FloatVector.fromMemorySegment(S, vc, at + o + 3 * row, NATIVE).fma(w3, a3);
                    b3 = FloatVector.fromMemorySegment(S, vc, atHi + o + 3 * row, NATIVE).fma(w3, b3);
                }
                for (; t < len; t++) {
                    FloatVector wt = FloatVector.broadcast(S, w[wOff + t]);
                    a0 = FloatVector.fromMemorySegment(S, vc, at + t * row, NATIVE).fma(wt, a0);
                    b0 = FloatVector.fromMemorySegment(S, vc, atHi + t * row, NATIVE).fma(wt, b0);
                }
                a0.add(a1).add(a2.add(a3)).mul(scale).intoArray(out, oOff + e);
                b0.add(b1).add(b2.add(b3)).mul(scale).intoArray(out, oOff + e + l);
            }
            for (; e + l <= n; e += l) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                long at = 4 * (base + e);
                int t = 0;
                for (; t + 4 <= len; t += 4) {
                    long o = at + t * row;
                    a0 = FloatVector.fromMemorySegment(S, vc, o, NATIVE).fma(FloatVector.broadcast(S, w[wOff + t]), a0);
                    a1 = FloatVector.fromMemorySegment(S, vc, o + row, NATIVE)
                            .fma(FloatVector.broadcast(S, w[wOff + t + 1]), a1);
                    a2 = FloatVector.fromMemorySegment(S, vc, o + 2 * row, NATIVE)
                            .fma(FloatVector.broadcast(S, w[wOff + t + 2]), a2);
                    a3 = FloatVector.fromMemorySegment(S, vc, o + 3 * row, NATIVE)
                            .fma(FloatVector.broadcast(S, w[wOff + t + 3]), a3);
                }
                for (; t < len; t++) {
                    a0 = FloatVector.fromMemorySegment(S, vc, at + t * row, NATIVE)
                            .fma(FloatVector.broadcast(S, w[wOff + t]), a0);
                }
                a0.add(a1).add(a2.add(a3)).mul(scale).intoArray(out, oOff + e);
            }
        }
        for (; e < n; e++) {
            float s = 0f;
            for (int t = 0; t < len; t++) {
                long i = base + (long) t * n + e;
                float value = type == Type.F32 ? vc.getAtIndex(F32, i) : Float.float16ToFloat(vc.getAtIndex(F16, i));
                s += w[wOff + t] * value;
            }
            out[oOff + e] = s * scale;
        }
    }

    /**
     * The vector part of {@link #weightedValues} for float16 values (in its own method, as {@link #keyScoresHalf}):
     * whole vectors of components, two positions at a time; returns the first component left to the scalar tail.
     */
    private int weightedValuesHalf(MemorySegment vc, long base, float[] w, int wOff, float scale, int len,
            float[] out, int oOff) {
        int n = headDimV, l = S.length();
        long row = 2L * n; // [bytes] per position
        int e = 0;
        for (; e + l <= n; e += l) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0;
            long at = 2 * (base + e); // [bytes]
            int t = 0;
            for (; t + 2 <= len; t += 2) {
                a0 = halfToFloat(ShortVector.fromMemorySegment(H, vc, at + t * row, NATIVE))
                        .fma(FloatVector.broadcast(S, w[wOff + t]), a0);
                a1 = halfToFloat(ShortVector.fromMemorySegment(H, vc, at + (t + 1) * row, NATIVE))
                        .fma(FloatVector.broadcast(S, w[wOff + t + 1]), a1);
            }
            if (t < len) {
                a0 = halfToFloat(ShortVector.fromMemorySegment(H, vc, at + t * row, NATIVE))
                        .fma(FloatVector.broadcast(S, w[wOff + t]), a0);
            }
            a0.add(a1).mul(scale).intoArray(out, oOff + e);
        }
        return e;
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
}
