package io.minnow.tensor;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Shared building blocks of the format kernels: little-endian scalar reads from the mapped segment and the
 * "16 quantized bytes times 16 activations" step of the Vector API paths, for every float width.
 */
final class Kernels {
    private Kernels() {}

    /** Float species of the F32, F16 and BF16 kernels. */
    static final VectorSpecies<Float> F = VectorConfig.F_SPECIES;
    static final int LANES = F.length();
    /**
     * Float species of the block-quantized kernels: the same as {@link #F}. (They were held at 256 bits while they
     * widened bytes straight to floats, which ran at half speed at 512; through int lanes the full width is fastest,
     * see docs/performance.md. Q5_0's decode kernel alone stays at 256 bits.)
     */
    static final VectorSpecies<Float> QF = F;
    static final int QLANES = QF.length();
    /** Int species of the same shape as {@link #QF}. */
    static final VectorSpecies<Integer> QI = QF.withLanes(int.class);
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    /**
     * Byte species of the quantized kernels: as many byte lanes as float lanes (8 or 16), so a chunk of quants
     * widens to floats with one part-0 conversion; at 4 float lanes (no 32-bit byte shape) 16 bytes widened in 4
     * parts. C2 compiles part-0 conversions far more compactly, which keeps the K-quant kernels fully inlined.
     */
    static final VectorSpecies<Byte> BS = QLANES >= 8 && QLANES <= 16
            ? VectorSpecies.of(byte.class, jdk.incubator.vector.VectorShape.forBitSize(QLANES * 8)) : B128;
    /** Bytes per chunk of {@link #BS}: 8 or 16, always dividing 16. */
    static final int CH = BS.length();

    /**
     * Whether 4-bit kernels turn nibbles into weights by table lookup: at 16 int lanes (512 bits) a vector holds a
     * 16-entry table, and one permute ({@code IntVector.selectFrom}, which takes each index modulo the lane count, so
     * a low nibble needs no mask) replaces mask, subtract and convert. Narrower vectors cannot hold the table.
     */
    static final boolean NIBBLE_LOOKUP = QLANES == 16;

    /**
     * Whether the decode kernels of Q4_K, Q5_K and Q6_K read their quants as 16 int lanes (64 bytes per load) against
     * an activation row laid out to match ({@link Tensor#decodeInput}): at 512 bits, where 16 int lanes hold a whole
     * 64-byte run of quants.
     */
    static final boolean INTERLEAVED_DECODE = QLANES == 16;

    /**
     * Whether the small-batch kernels may keep 16 accumulators in registers (two weight rows by eight activation
     * rows): at 512 bits x86 has 32 vector registers; at 256 bits (AVX2) 16, and such a kernel would spill.
     */
    static final boolean WIDE_REGISTERS = QLANES == 16;

    /** The floats {@code i + offset} in lane i of a {@link #QF} vector (lanes past 16, if any, are unused). */
    static FloatVector nibbleTable(int offset) {
        float[] t = new float[Math.max(16, QLANES)];
        for (int i = 0; i < t.length; i++) {
            t[i] = i + offset;
        }
        return FloatVector.fromArray(QF, t, 0);
    }

    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LITTLE_ENDIAN);

    /** The IEEE half at byte {@code off}, as float. */
    static float f16(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(SHORT_LE, off));
    }

    /** The unsigned byte at {@code off}. */
    static int u8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    /** The signed byte at {@code off}. */
    static int i8(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
    }

    static int i32(MemorySegment s, long off) {
        return s.get(INT_LE, off);
    }

    /** Sixteen bytes at {@code off} as one 128-bit byte vector. */
    static ByteVector load16(MemorySegment s, long off) {
        return ByteVector.fromMemorySegment(B128, s, off, LITTLE_ENDIAN);
    }

    /** {@link #CH} bytes at {@code off}. */
    static ByteVector loadB(MemorySegment s, long off) {
        return ByteVector.fromMemorySegment(BS, s, off, LITTLE_ENDIAN);
    }

    /** {@code acc + q[i] * x[xo + i]} for the {@link #CH} signed byte lanes of a {@link #BS} vector. */
    static FloatVector dotB(ByteVector q, float[] x, int xo, FloatVector acc) {
        if (CH == QLANES) {
            return part(q, 0).fma(FloatVector.fromArray(QF, x, xo), acc);
        }
        return dot16(q, x, xo, acc);
    }

    static FloatVector zero() {
        return FloatVector.zero(QF);
    }

    static FloatVector bcast(float v) {
        return FloatVector.broadcast(QF, v);
    }

    /**
     * {@code acc + q[i] * x[xo + i]} for the 16 signed byte lanes of {@code q}, as {@code 16 / QLANES} float
     * vectors. The width is a constant after start-up, so the JIT keeps one branch.
     */
    static FloatVector dot16(ByteVector q, float[] x, int xo, FloatVector acc) {
        if (QLANES == 8) {
            acc = part(q, 0).fma(FloatVector.fromArray(QF, x, xo), acc);
            return part(q, 1).fma(FloatVector.fromArray(QF, x, xo + 8), acc);
        } else if (QLANES == 16) {
            return part(q, 0).fma(FloatVector.fromArray(QF, x, xo), acc);
        } else if (QLANES == 4) {
            acc = part(q, 0).fma(FloatVector.fromArray(QF, x, xo), acc);
            acc = part(q, 1).fma(FloatVector.fromArray(QF, x, xo + 4), acc);
            acc = part(q, 2).fma(FloatVector.fromArray(QF, x, xo + 8), acc);
            return part(q, 3).fma(FloatVector.fromArray(QF, x, xo + 12), acc);
        }
        for (int p = 0; p < 16 / QLANES; p++) {
            acc = part(q, p).fma(FloatVector.fromArray(QF, x, xo + p * QLANES), acc);
        }
        return acc;
    }

    /**
     * {@code out[off + i] = q[i] * scale} for the {@link #CH} signed byte lanes of {@code q}: lane for lane the
     * float product the scalar dequantizers compute.
     */
    static void storeScaled(ByteVector q, float scale, float[] out, int off) {
        FloatVector s = bcast(scale);
        for (int p = 0; p < CH / QLANES; p++) {
            part(q, p).mul(s).intoArray(out, off + p * QLANES);
        }
    }

    /** {@code out[off + i] = q[i] * scale - min}, each lane rounded as the scalar expression. */
    static void storeScaledMin(ByteVector q, float scale, float min, float[] out, int off) {
        FloatVector s = bcast(scale), m = bcast(min);
        for (int p = 0; p < CH / QLANES; p++) {
            part(q, p).mul(s).sub(m).intoArray(out, off + p * QLANES);
        }
    }

    /**
     * Whether one chunk of quants ({@link #CH} bytes) widens to exactly one float vector (256 and 512 bits). The hot
     * kernels then take a path that calls the JDK only, and the fused small-batch path of continuous batching
     * (each chunk decoded once and reused for several activation rows) is available.
     */
    static final boolean ONE_PART = CH == QLANES;

    /**
     * The sums of the fused small-batch path: {@code out[o + b * os] = r_b} for the first {@code batch} (1..4) rows.
     * Rows past the batch repeated its last row, so they are written over it with the same value, without a branch.
     */
    static void storeRows(float r0, float r1, float r2, float r3, int batch, float[] out, int o, int os) {
        int last = batch - 1;
        out[o] = r0;
        out[o + Math.min(1, last) * os] = r1;
        out[o + Math.min(2, last) * os] = r2;
        out[o + Math.min(3, last) * os] = r3;
    }

    /** {@link #storeRows} for 5 to 8 rows. */
    static void storeRows8(float r0, float r1, float r2, float r3, float r4, float r5, float r6, float r7, int batch,
            float[] out, int o, int os) {
        int last = batch - 1;
        out[o] = r0;
        out[o + os] = r1;
        out[o + 2 * os] = r2;
        out[o + 3 * os] = r3;
        out[o + 4 * os] = r4;
        out[o + Math.min(5, last) * os] = r5;
        out[o + Math.min(6, last) * os] = r6;
        out[o + Math.min(7, last) * os] = r7;
    }

    private static FloatVector part(ByteVector q, int part) {
        return (FloatVector) q.convertShape(VectorOperators.B2F, QF, part);
    }

    /** {@code acc + x[xo .. xo+32)} lane-wise (the sum of the activations a block minimum multiplies). */
    static FloatVector sum32(float[] x, int xo, FloatVector acc) {
        for (int i = 0; i < 32; i += QLANES) {
            acc = acc.add(FloatVector.fromArray(QF, x, xo + i));
        }
        return acc;
    }

    /** This thread's buffer in {@code slot}, grown to at least {@code n} floats (a decode input, or decoded scales). */
    static float[] decodeBuffer(ThreadLocal<float[][]> slot, int n) {
        float[][] holder = slot.get();
        if (holder[0].length < n) {
            holder[0] = new float[n];
        }
        return holder[0];
    }

    /** Writes one activation row's K-quant decode input ({@link #kDecodeLength} floats) into {@code in}. */
    @FunctionalInterface
    interface DecodeRow {
        void into(float[] x, int xOff, int cols, float[] in, int inOff);
    }

    /** Floats in a K-quant decode input of a row of {@code cols}: the activations, then 16 per super-block. */
    static int kDecodeLength(int cols) {
        return cols + 16 * (cols / 256);
    }

    /**
     * The decode inputs of a batch of 2 activation rows ({@code x} is {@code 2 x cols}), one after the other, in this
     * thread's buffer of {@code slot} (see {@link Tensor#decodeInputs}).
     */
    static float[] kDecodeInputsOf2(ThreadLocal<float[][]> slot, float[] x, int cols, DecodeRow row) {
        int n = kDecodeLength(cols);
        float[] in = decodeBuffer(slot, 2 * n);
        row.into(x, 0, cols, in, 0);
        row.into(x, cols, cols, in, n);
        return in;
    }

    /** Per-thread scratch of {@link #scalesAndMinsK4Row} (one slot, grown to the longest row seen). */
    private static final ThreadLocal<float[][]> K4_ROW = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * {@link #scalesAndMinsK4} for each of the {@code nb} super-blocks of a row ({@code stride} bytes apart from
     * {@code base}), super-block b's 16 floats at {@code 16 * b} of the returned per-thread scratch. A dot product
     * decodes its row's scales with this before its main loop, so that no load of a scale follows right after the
     * vector store that wrote it. Decoded one super-block at a time inside the loop, the Q4_K decode kernel took
     * 1.15-1.27 or 2.23-2.43 ms per smollm2-135m Q4_K_M step, depending on how C2 compiled it; decoded first, the
     * slower compilation takes 1.86-2.01 ms (docs/performance.md). The 512-bit decode kernels
     * ({@link #INTERLEAVED_DECODE}) decode each super-block's scales inside their loop instead, straight into a
     * register, which no store precedes.
     */
    static float[] scalesAndMinsK4Row(MemorySegment data, long base, int nb, int stride) {
        float[] sm = decodeBuffer(K4_ROW, 16 * nb);
        for (int b = 0; b < nb; b++) {
            scalesAndMinsK4(data, base + (long) b * stride, sm, 16 * b);
        }
        return sm;
    }

    /*
     * ggml's get_scale_min_k4 in 16 int lanes: scales of sub-blocks 0..7 in lanes 0..7, minimums in lanes 8..15.
     * With q the 12 scale bytes (bytes 4..15 of the super-block):
     *   scale j < 4: q[j] & 63                 minimum j < 4: q[j + 4] & 63
     *   scale j > 3: (q[j + 4] & 15) | (q[j - 4] >> 6) << 4
     *   minimum j > 3: (q[j + 4] >> 4) | (q[j] >> 6) << 4
     * as lane = ((A >>> SHIFT_A) & MASK_A) | ((B >>> 2) & MASK_B), A and B picked from the super-block's first 16
     * bytes by PICK_A and PICK_B.
     */
    static final VectorShuffle<Byte> PICK_A = VectorShuffle.fromValues(B128, 4, 5, 6, 7, 12, 13, 14, 15, 8, 9,
            10, 11, 12, 13, 14, 15);
    static final VectorShuffle<Byte> PICK_B = VectorShuffle.fromValues(B128, 0, 0, 0, 0, 4, 5, 6, 7, 0, 0, 0, 0,
            8, 9, 10, 11);
    private static final int[] SHIFTS_A = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4};
    private static final int[] MASKS_A = {63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15};
    private static final int[] MASKS_B = {0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30, 0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30};
    /** Lanes 0..15 at 16 lanes; lanes 0..7 (the scales) at 8 lanes, where {@code *_HI} hold lanes 8..15. */
    static final IntVector SHIFT_A = lanes(SHIFTS_A, 0), MASK_A = lanes(MASKS_A, 0), MASK_B = lanes(MASKS_B, 0);
    private static final IntVector SHIFT_A_HI = lanes(SHIFTS_A, 8), MASK_A_HI = lanes(MASKS_A, 8),
            MASK_B_HI = lanes(MASKS_B, 8);
    /** Lanes 8..15: the minimums, which take -dmin. */
    static final VectorMask<Float> MINS = VectorMask.fromLong(QF, 0xFF00L);

    /** {@link Kernels#QLANES} of the 16 ints from {@code from} (as many as fit), as a vector. */
    private static IntVector lanes(int[] v, int from) {
        return IntVector.fromArray(QI, v, Math.min(from, 16 - QLANES));
    }

    /**
     * {@code sm[at + j] = d * scale j} and {@code sm[at + 8 + j] = -dmin * minimum j} for the Q4_K or Q5_K
     * super-block at {@code o} (d, dmin and the 12 scale bytes of ggml's get_scale_min_k4 lead both formats),
     * decoded in vector lanes (16 lanes at once, or 8 and 8). Its vectors stay inside it, so it costs no boxing even
     * where C2 leaves it out of line.
     */
    static void scalesAndMinsK4(MemorySegment data, long o, float[] sm, int at) {
        ByteVector raw = ByteVector.fromMemorySegment(B128, data, o, LITTLE_ENDIAN);
        ByteVector pa = raw.rearrange(PICK_A), pb = raw.rearrange(PICK_B);
        IntVector a = (IntVector) pa.convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
        IntVector b = (IntVector) pb.convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
        IntVector scm = a.lanewise(VectorOperators.LSHR, SHIFT_A).and(MASK_A)
                .or(b.lanewise(VectorOperators.LSHR, 2).and(MASK_B));
        float d = Float.float16ToFloat(data.get(SHORT_LE, o));
        float dmin = Float.float16ToFloat(data.get(SHORT_LE, o + 2));
        if (QLANES == 16) {
            ((FloatVector) scm.convert(VectorOperators.I2F, 0)).mul(FloatVector.broadcast(QF, d).blend(-dmin, MINS))
                    .intoArray(sm, at);
            return;
        }
        ((FloatVector) scm.convert(VectorOperators.I2F, 0)).mul(d).intoArray(sm, at);
        a = (IntVector) pa.convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 1);
        b = (IntVector) pb.convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 1);
        scm = a.lanewise(VectorOperators.LSHR, SHIFT_A_HI).and(MASK_A_HI)
                .or(b.lanewise(VectorOperators.LSHR, 2).and(MASK_B_HI));
        ((FloatVector) scm.convert(VectorOperators.I2F, 0)).mul(-dmin).intoArray(sm, at + 8);
    }

    /**
     * The 8 six-bit scales of a Q4_K/Q5_K super-block (ggml's get_scale_min_k4) as the bytes of a long, sub-block j in
     * byte j, from the 12 scale bytes read as little-endian words {@code w0 w1 w2}.
     */
    static long scalesK4(int w0, int w2) {
        return (w0 & 0x3F3F3F3FL) | ((long) ((w2 & 0x0F0F0F0F) | ((w0 >>> 2) & 0x30303030)) << 32);
    }

    /** The 8 six-bit minimums likewise (see {@link #scalesK4}). */
    static long minsK4(int w1, int w2) {
        return (w1 & 0x3F3F3F3FL) | ((long) (((w2 >>> 4) & 0x0F0F0F0F) | ((w1 >>> 2) & 0x30303030)) << 32);
    }

    /** ggml's get_scale_min_k4, scale half: the 6-bit scale {@code j} (0..7) of the 12 bytes at {@code sc}. */
    static int scaleK4(MemorySegment s, long sc, int j) {
        return j < 4 ? u8(s, sc + j) & 63 : (u8(s, sc + j + 4) & 0xF) | (u8(s, sc + j - 4) >>> 6) << 4;
    }

    /** ggml's get_scale_min_k4, min half: the 6-bit min {@code j} (0..7) of the 12 bytes at {@code sc}. */
    static int minK4(MemorySegment s, long sc, int j) {
        return j < 4 ? u8(s, sc + j + 4) & 63 : (u8(s, sc + j + 4) >>> 4) | (u8(s, sc + j) >>> 6) << 4;
    }
}
