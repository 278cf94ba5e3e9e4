package io.minnow.tensor;

import static io.minnow.tensor.Kernels.BS;
import static io.minnow.tensor.Kernels.CH;
import static io.minnow.tensor.Kernels.INTERLEAVED_DECODE;
import static io.minnow.tensor.Kernels.INT_LE;
import static io.minnow.tensor.Kernels.ONE_PART;
import static io.minnow.tensor.Kernels.QF;
import static io.minnow.tensor.Kernels.QI;
import static io.minnow.tensor.Kernels.QLANES;
import static io.minnow.tensor.Kernels.SHORT_LE;
import static io.minnow.tensor.Kernels.dotB;
import static io.minnow.tensor.Kernels.f16;
import static io.minnow.tensor.Kernels.loadB;
import static io.minnow.tensor.Kernels.minK4;
import static io.minnow.tensor.Kernels.scaleK4;
import static io.minnow.tensor.Kernels.u8;
import static io.minnow.tensor.Kernels.zero;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Q5_K: super-blocks of 256 elements in 176 bytes, 8 sub-blocks of 32 with 6-bit scales and mins.
 * <pre>
 * offset 0    f16  d
 * offset 2    f16  dmin
 * offset 4    u8   scales[12]   as Q4_K (get_scale_min_k4)
 * offset 16   u8   qh[32]       fifth bits: element 64g + l uses bit 2g of qh[l], element 64g + 32 + l bit 2g+1
 * offset 48   u8   qs[128]      group g (0..3) of 64 elements uses qs[32g .. 32g+32):
 *                               element 64g + l      = d*sc(2g)   * ((qs[32g+l] &amp; 0xF) + 16*bit) - dmin*m(2g)
 *                               element 64g + 32 + l = d*sc(2g+1) * ((qs[32g+l] &gt;&gt; 4)  + 16*bit) - dmin*m(2g+1)
 * </pre>
 */
public final class Q5_KTensor extends Tensor {
    static final int BLOCK = 256;
    static final int BYTES = 176;

    public Q5_KTensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q5_K;
    }

    @Override
    public void dequantizeRow(long row, float[] out, int off) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            float d = f16(data, o);
            float dmin = f16(data, o + 2);
            int y = off + b * BLOCK;
            for (int g = 0; g < 4; g++) {
                float d1 = d * scaleK4(data, o + 4, 2 * g), m1 = dmin * minK4(data, o + 4, 2 * g);
                float d2 = d * scaleK4(data, o + 4, 2 * g + 1), m2 = dmin * minK4(data, o + 4, 2 * g + 1);
                long q = o + 48 + 32 * g;
                for (int l = 0; l < 32; l++) {
                    int v = u8(data, q + l);
                    int h = u8(data, o + 16 + l);
                    out[y + 64 * g + l] = d1 * ((v & 0xF) | ((h >>> 2 * g) & 1) << 4) - m1;
                    out[y + 64 * g + 32 + l] = d2 * ((v >>> 4) | ((h >>> 2 * g + 1) & 1) << 4) - m2;
                }
            }
        }
    }

    @Override
    public float dotScalar(long row, float[] x, int xOff) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        float sum = 0f;
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            float d = f16(data, o);
            float dmin = f16(data, o + 2);
            int xo = xOff + b * BLOCK;
            for (int g = 0; g < 4; g++) {
                long q = o + 48 + 32 * g;
                int x1 = xo + 64 * g, x2 = x1 + 32;
                float s1 = 0f, s2 = 0f, sx1 = 0f, sx2 = 0f;
                for (int l = 0; l < 32; l++) {
                    int v = u8(data, q + l);
                    int h = u8(data, o + 16 + l);
                    s1 += ((v & 0xF) | ((h >>> 2 * g) & 1) << 4) * x[x1 + l];
                    s2 += ((v >>> 4) | ((h >>> 2 * g + 1) & 1) << 4) * x[x2 + l];
                    sx1 += x[x1 + l];
                    sx2 += x[x2 + l];
                }
                sum += d * scaleK4(data, o + 4, 2 * g) * s1 - dmin * minK4(data, o + 4, 2 * g) * sx1
                        + d * scaleK4(data, o + 4, 2 * g + 1) * s2 - dmin * minK4(data, o + 4, 2 * g + 1) * sx2;
            }
        }
        return sum;
    }

    @Override
    public float dotVector(long row, float[] x, int xOff) {
        if (INTERLEAVED_DECODE) {
            return dotInterleaved(row, Q4_KTensor.interleave(x, xOff, cols, DOT_INPUT));
        }
        if (ONE_PART) {
            return dotRow(row, x, xOff);
        }
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        float sum = 0f;
        for (int b = 0; b < nb; b++) {
            sum += blockDotVector(base + (long) b * BYTES, x, xOff + b * BLOCK);
        }
        return sum;
    }

    @Override
    float[] decodeInput(float[] x) {
        return INTERLEAVED_DECODE ? Q4_KTensor.interleave(x, 0, cols, MATMUL_INPUT) : null;
    }

    /** {@link Tensor#dotRows}, compiled against this class's own kernels. */
    @Override
    void dotRows(float[] x, float[] xd, float[] out, int outOffset, int start, int end) {
        if (INTERLEAVED_DECODE) {
            float[] in = xd != null ? xd : Q4_KTensor.interleave(x, 0, cols, DOT_INPUT);
            for (int r = start; r < end; r++) {
                out[outOffset + r] = dotInterleaved(r, in);
            }
            return;
        }
        for (int r = start; r < end; r++) {
            out[outOffset + r] = dotVector(r, x, 0);
        }
    }

    /** Per-thread decode inputs (Q4_K's layout): one for {@link #decodeInput}, one for a single {@link #dotVector}. */
    private static final ThreadLocal<float[][]> MATMUL_INPUT = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> DOT_INPUT = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * For half h: the right shift per lane that brings the fifth bits of lane i's group (2h + i/8) to bits 0 and 1
     * of each byte of the repeated qh lanes: {@code 4h + 2 (i / 8)}.
     */
    private static final IntVector[] QH_SHIFT = new IntVector[2];

    /** qh's lanes 0..7 (its 32 bytes) in both halves of a vector. */
    private static final VectorShuffle<Integer> QH_TWICE;

    static {
        int[] twice = new int[QLANES];
        for (int i = 0; i < QLANES; i++) {
            twice[i] = i % Math.min(8, QLANES);
        }
        QH_TWICE = VectorShuffle.fromArray(QI, twice, 0);
        for (int h = 0; h < 2; h++) {
            int[] shifts = new int[QLANES];
            for (int i = 0; i < QLANES; i++) {
                shifts[i] = 4 * h + 2 * (i / 8);
            }
            QH_SHIFT[h] = IntVector.fromArray(QI, shifts, 0);
        }
    }

    /**
     * The decode kernel at 16 float lanes: Q4_K's (see Q4_KTensor, the comment above its {@code ORDER}), against the
     * same decode input, with each nibble's fifth bit OR-ed in at bit 4. Lane i of half h holds bytes
     * {@code l = 4 (i % 8) + m} (m = 0..3) of group 2h + i/8, whose fifth bits are bits 2g and 2g+1 of qh[l]: with
     * qh's 32 bytes in both halves of a vector, shifted right per lane by {@link #QH_SHIFT}, nibble k = 2m + p takes
     * bit 8m + p. JDK calls only.
     */
    private float dotInterleaved(long row, float[] in) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        FloatVector acc = FloatVector.zero(QF), acc2 = acc, mins = acc;
        IntVector m = IntVector.broadcast(QI, 15), f = IntVector.broadcast(QI, 16);
        for (int blk = 0; blk < nb; blk++) {
            long h0 = base + (long) blk * BYTES;
            int xo = blk * BLOCK;
            // d * scale j in lanes 0..7, -dmin * min j in lanes 8..15, as Kernels.scalesAndMinsK4 decodes them
            ByteVector raw = ByteVector.fromMemorySegment(Kernels.B128, data, h0, LITTLE_ENDIAN);
            IntVector a = (IntVector) raw.rearrange(Kernels.PICK_A)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            IntVector b = (IntVector) raw.rearrange(Kernels.PICK_B)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector s = ((FloatVector) a.lanewise(VectorOperators.LSHR, Kernels.SHIFT_A).and(Kernels.MASK_A)
                    .or(b.lanewise(VectorOperators.LSHR, 2).and(Kernels.MASK_B)).convert(VectorOperators.I2F, 0))
                    .mul(FloatVector.broadcast(QF, Float.float16ToFloat(data.get(SHORT_LE, h0)))
                            .blend(-Float.float16ToFloat(data.get(SHORT_LE, h0 + 2)), Kernels.MINS));
            mins = s.fma(FloatVector.fromArray(QF, in, cols + 16 * blk), mins);
            IntVector qh = IntVector.fromMemorySegment(QI, data, h0 + 16, LITTLE_ENDIAN).rearrange(QH_TWICE);
            for (int h = 0; h < 2; h++) {
                IntVector q = IntVector.fromMemorySegment(QI, data, h0 + 48 + 64 * h, LITTLE_ENDIAN);
                IntVector e = qh.lanewise(VectorOperators.LSHR, QH_SHIFT[h]);
                int xh = xo + 128 * h;
                FloatVector even = ((FloatVector) q.and(m).or(e.lanewise(VectorOperators.LSHL, 4).and(f))
                        .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(QF, in, xh));
                FloatVector odd = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(m)
                        .or(e.lanewise(VectorOperators.LSHL, 3).and(f)).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(QF, in, xh + 16));
                even = ((FloatVector) q.lanewise(VectorOperators.LSHR, 8).and(m)
                        .or(e.lanewise(VectorOperators.LSHR, 4).and(f)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 32), even);
                odd = ((FloatVector) q.lanewise(VectorOperators.LSHR, 12).and(m)
                        .or(e.lanewise(VectorOperators.LSHR, 5).and(f)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 48), odd);
                even = ((FloatVector) q.lanewise(VectorOperators.LSHR, 16).and(m)
                        .or(e.lanewise(VectorOperators.LSHR, 12).and(f)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 64), even);
                odd = ((FloatVector) q.lanewise(VectorOperators.LSHR, 20).and(m)
                        .or(e.lanewise(VectorOperators.LSHR, 13).and(f)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 80), odd);
                even = ((FloatVector) q.lanewise(VectorOperators.LSHR, 24).and(m)
                        .or(e.lanewise(VectorOperators.LSHR, 20).and(f)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 96), even);
                odd = ((FloatVector) q.lanewise(VectorOperators.LSHR, 28)
                        .or(e.lanewise(VectorOperators.LSHR, 21).and(f)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 112), odd);
                acc = even.fma(s.rearrange(Q4_KTensor.LANE_SCALES[2 * h]), acc);
                acc2 = odd.fma(s.rearrange(Q4_KTensor.LANE_SCALES[2 * h + 1]), acc2);
            }
        }
        return acc.add(acc2).add(mins).reduceLanes(VectorOperators.ADD);
    }

    /**
     * The Vector API path where one chunk of quants fills one float vector ({@link Kernels#ONE_PART}: 256 and 512
     * bits): quants and fifth bits in int lanes (x86 has no byte shifts), per sub-block the dot products and the sum
     * of the activations times the scale and the minimum that {@link Kernels#scalesAndMinsK4} decoded in vector
     * lanes, broadcast from memory. One loop over the row. JDK calls only, as in Q4_K.
     */
    private float dotRow(long row, float[] x, int xOff) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        float[] sm = Kernels.scalesAndMinsK4Row(data, base, nb, BYTES);
        FloatVector acc = FloatVector.zero(QF);
        for (int blk = 0; blk < nb; blk++) {
            long o = base + (long) blk * BYTES;
            int xo = xOff + blk * BLOCK;
            int s0 = 16 * blk;
            for (int g = 0; g < 4; g++) {
                long q = o + 48 + 32 * g;
                int x1 = xo + 64 * g, x2 = x1 + 32;
                FloatVector s1 = FloatVector.zero(QF), s2 = s1, m1 = s1, m2 = s1;
                for (int c = 0; c < 32; c += CH) {
                    IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, q + c, LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                    // the fifth bits moved to bit 4 of every lane once: bit 2g (low) and 2g+1 (high) of qh
                    IntVector h = ((IntVector) ByteVector.fromMemorySegment(BS, data, o + 16 + c, LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0)).lanewise(VectorOperators.LSHL, 4);
                    IntVector lo = v.and(0xF).or(h.lanewise(VectorOperators.LSHR, 2 * g).and(16));
                    IntVector hi = v.lanewise(VectorOperators.LSHR, 4).or(h.lanewise(VectorOperators.LSHR, 2 * g + 1).and(16));
                    s1 = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(QF, x, x1 + c), s1);
                    s2 = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(QF, x, x2 + c), s2);
                }
                for (int i = 0; i < 32; i += QLANES) {
                    m1 = FloatVector.fromArray(QF, x, x1 + i).add(m1);
                    m2 = FloatVector.fromArray(QF, x, x2 + i).add(m2);
                }
                acc = s1.fma(FloatVector.broadcast(QF, sm[s0 + 2 * g]), acc);
                acc = s2.fma(FloatVector.broadcast(QF, sm[s0 + 2 * g + 1]), acc);
                acc = m1.fma(FloatVector.broadcast(QF, sm[s0 + 8 + 2 * g]), acc);
                acc = m2.fma(FloatVector.broadcast(QF, sm[s0 + 9 + 2 * g]), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * One super-block on the Vector API path, reduced to a float: a compiled unit small enough for C2 to inline
     * every vector operation (one lane reduction per 256 elements costs little).
     */
    private float blockDotVector(long o, float[] x, int xo) {
        FloatVector acc = zero();
        float d = f16(data, o);
        FloatVector mins = zero();
        // The 12 scale bytes decoded once per super-block (ggml's get_scale_min_k4), as in Q4_K.
        int w0 = data.get(INT_LE, o + 4), w1 = data.get(INT_LE, o + 8), w2 = data.get(INT_LE, o + 12);
        long sc = Kernels.scalesK4(w0, w2);
        long mn = Kernels.minsK4(w1, w2);
        for (int g = 0; g < 4; g++) {
            long q = o + 48 + 32 * g;
            int x1 = xo + 64 * g, x2 = x1 + 32;
            FloatVector s1 = zero(), s2 = zero(), m1 = s1, m2 = s1;
            for (int c = 0; c < 32; c += CH) {
                ByteVector v = loadB(data, q + c);
                ByteVector h = loadB(data, o + 16 + c);
                s1 = dotB(low(v, h, 2 * g), x, x1 + c, s1);
                s2 = dotB(high(v, h, 2 * g + 1), x, x2 + c, s2);
            }
            for (int i = 0; i < 32; i += QLANES) {
                // the loaded vector as receiver: its class is known, so C2 inlines the add
                m1 = FloatVector.fromArray(QF, x, x1 + i).add(m1);
                m2 = FloatVector.fromArray(QF, x, x2 + i).add(m2);
            }
            int sh = 16 * g;
            // JDK calls only past this point: C2 stops inlining our helpers past its node budget (see Q4_K).
            acc = s1.fma(FloatVector.broadcast(QF, d * (int) (sc >>> sh & 0xFF)), acc);
            acc = s2.fma(FloatVector.broadcast(QF, d * (int) (sc >>> (sh + 8) & 0xFF)), acc);
            mins = m1.fma(FloatVector.broadcast(QF, (float) (int) (mn >>> sh & 0xFF)), mins);
            mins = m2.fma(FloatVector.broadcast(QF, (float) (int) (mn >>> (sh + 8) & 0xFF)), mins);
        }
        acc = mins.fma(FloatVector.broadcast(QF, -Float.float16ToFloat(data.get(SHORT_LE, o + 2))), acc);
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Low nibbles of {@code q} with bit {@code bit} of {@code h} as the fifth bit. */
    private static ByteVector low(ByteVector q, ByteVector h, int bit) {
        return q.and((byte) 0x0F).or(fifth(h, bit));
    }

    /** High nibbles of {@code q} with bit {@code bit} of {@code h} as the fifth bit. */
    private static ByteVector high(ByteVector q, ByteVector h, int bit) {
        return q.lanewise(VectorOperators.LSHR, 4).or(fifth(h, bit));
    }

    private static ByteVector fifth(ByteVector h, int bit) {
        return h.lanewise(VectorOperators.LSHR, bit).and((byte) 1).lanewise(VectorOperators.LSHL, 4);
    }
}
