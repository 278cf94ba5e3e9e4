package io.minnow.tensor;

import static io.minnow.tensor.Kernels.BS;
import static io.minnow.tensor.Kernels.CH;
import static io.minnow.tensor.Kernels.INTERLEAVED_DECODE;
import static io.minnow.tensor.Kernels.ONE_PART;
import static io.minnow.tensor.Kernels.QF;
import static io.minnow.tensor.Kernels.QI;
import static io.minnow.tensor.Kernels.QLANES;
import static io.minnow.tensor.Kernels.dotB;
import static io.minnow.tensor.Kernels.f16;
import static io.minnow.tensor.Kernels.i8;
import static io.minnow.tensor.Kernels.loadB;
import static io.minnow.tensor.Kernels.storeScaled;
import static io.minnow.tensor.Kernels.u8;
import static io.minnow.tensor.Kernels.zero;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Q6_K: super-blocks of 256 elements in 210 bytes, 16 sub-blocks of 16 with int8 scales.
 * <pre>
 * offset 0     u8   ql[128]     low 4 bits
 * offset 128   u8   qh[64]      high 2 bits
 * offset 192   int8 scales[16]
 * offset 208   f16  d           (at the end)
 * </pre>
 * Half h (0..1) of 128 elements uses ql[64h ..], qh[32h ..], scales[8h ..]; for l = 0..31, with
 * {@code s = l / 16}:
 * <pre>
 * element 128h + l      = d * scales[8h+s]   * ((ql[64h+l]    &amp; 0xF | (qh[32h+l]      &amp; 3) &lt;&lt; 4) - 32)
 * element 128h + l + 32 = d * scales[8h+s+2] * ((ql[64h+l+32] &amp; 0xF | (qh[32h+l] &gt;&gt; 2 &amp; 3) &lt;&lt; 4) - 32)
 * element 128h + l + 64 = d * scales[8h+s+4] * ((ql[64h+l]    &gt;&gt; 4  | (qh[32h+l] &gt;&gt; 4 &amp; 3) &lt;&lt; 4) - 32)
 * element 128h + l + 96 = d * scales[8h+s+6] * ((ql[64h+l+32] &gt;&gt; 4  | (qh[32h+l] &gt;&gt; 6 &amp; 3) &lt;&lt; 4) - 32)
 * </pre>
 */
public final class Q6_KTensor extends Tensor {
    static final int BLOCK = 256;
    static final int BYTES = 210;

    public Q6_KTensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q6_K;
    }

    @Override
    public void dequantizeRow(long row, float[] out, int off) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            float d = f16(data, o + 208);
            for (int h = 0; h < 2; h++) {
                long ql = o + 64 * h, qh = o + 128 + 32 * h, sc = o + 192 + 8 * h;
                int y = off + b * BLOCK + 128 * h;
                for (int l = 0; l < 32; l++) {
                    int s = l / 16;
                    int a = u8(data, ql + l), c = u8(data, ql + l + 32), hb = u8(data, qh + l);
                    out[y + l] = d * i8(data, sc + s) * ((a & 0xF | (hb & 3) << 4) - 32);
                    out[y + l + 32] = d * i8(data, sc + s + 2) * ((c & 0xF | (hb >>> 2 & 3) << 4) - 32);
                    out[y + l + 64] = d * i8(data, sc + s + 4) * ((a >>> 4 | (hb >>> 4 & 3) << 4) - 32);
                    out[y + l + 96] = d * i8(data, sc + s + 6) * ((c >>> 4 | (hb >>> 6 & 3) << 4) - 32);
                }
            }
        }
    }

    @Override
    void dequantizeRowVector(long row, float[] out, int off) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            float d = f16(data, o + 208);
            for (int h = 0; h < 2; h++) {
                long ql = o + 64 * h, qh = o + 128 + 32 * h, sc = o + 192 + 8 * h;
                int y = off + b * BLOCK + 128 * h;
                for (int l = 0; l < 32; l += CH) {
                    int s = l / 16;
                    ByteVector a = ByteVector.fromMemorySegment(BS, data, ql + l, LITTLE_ENDIAN);
                    ByteVector c = ByteVector.fromMemorySegment(BS, data, ql + l + 32, LITTLE_ENDIAN);
                    ByteVector hb = ByteVector.fromMemorySegment(BS, data, qh + l, LITTLE_ENDIAN);
                    ByteVector h1 = hb.and(M3), h2 = hb.and(M12);
                    h1 = h1.add(h1);
                    h1 = h1.add(h1);
                    h1 = h1.add(h1);
                    h1 = h1.add(h1);
                    h2 = h2.add(h2);
                    h2 = h2.add(h2);
                    ByteVector q0 = a.and(M4).or(h1).sub(C32), q1 = c.and(M4).or(h2).sub(C32);
                    ByteVector q2 = a.lanewise(VectorOperators.LSHR, 4).or(hb.and(M48)).sub(C32);
                    ByteVector q3 = c.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 2).and(M48)).sub(C32);
                    if (ONE_PART) {
                        // JDK calls only: through the shared helper C2 boxed these vectors (4 GB in one benchmark)
                        ((FloatVector) q0.convertShape(VectorOperators.B2F, QF, 0)).mul(d * i8(data, sc + s)).intoArray(out, y + l);
                        ((FloatVector) q1.convertShape(VectorOperators.B2F, QF, 0)).mul(d * i8(data, sc + s + 2)).intoArray(out, y + l + 32);
                        ((FloatVector) q2.convertShape(VectorOperators.B2F, QF, 0)).mul(d * i8(data, sc + s + 4)).intoArray(out, y + l + 64);
                        ((FloatVector) q3.convertShape(VectorOperators.B2F, QF, 0)).mul(d * i8(data, sc + s + 6)).intoArray(out, y + l + 96);
                    } else {
                        storeScaled(q0, d * i8(data, sc + s), out, y + l);
                        storeScaled(q1, d * i8(data, sc + s + 2), out, y + l + 32);
                        storeScaled(q2, d * i8(data, sc + s + 4), out, y + l + 64);
                        storeScaled(q3, d * i8(data, sc + s + 6), out, y + l + 96);
                    }
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
            float d = f16(data, o + 208);
            for (int h = 0; h < 2; h++) {
                long ql = o + 64 * h, qh = o + 128 + 32 * h, sc = o + 192 + 8 * h;
                int xo = xOff + b * BLOCK + 128 * h;
                for (int s = 0; s < 2; s++) {
                    float s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f;
                    for (int l = 16 * s; l < 16 * s + 16; l++) {
                        int a = u8(data, ql + l), c = u8(data, ql + l + 32), hb = u8(data, qh + l);
                        s1 += ((a & 0xF | (hb & 3) << 4) - 32) * x[xo + l];
                        s2 += ((c & 0xF | (hb >>> 2 & 3) << 4) - 32) * x[xo + l + 32];
                        s3 += ((a >>> 4 | (hb >>> 4 & 3) << 4) - 32) * x[xo + l + 64];
                        s4 += ((c >>> 4 | (hb >>> 6 & 3) << 4) - 32) * x[xo + l + 96];
                    }
                    sum += d * (i8(data, sc + s) * s1 + i8(data, sc + s + 2) * s2
                            + i8(data, sc + s + 4) * s3 + i8(data, sc + s + 6) * s4);
                }
            }
        }
        return sum;
    }

    @Override
    public float dotVector(long row, float[] x, int xOff) {
        if (INTERLEAVED_DECODE) {
            return dotInterleaved(row, interleave(x, xOff, cols, DOT_INPUT));
        }
        if (ONE_PART) {
            return dotWide(row, x, xOff, SCALES.get());
        }
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        float sum = 0f;
        for (int b = 0; b < nb; b++) {
            sum += blockDotParts(base + (long) b * BYTES, x, xOff + b * BLOCK);
        }
        return sum;
    }

    @Override
    float[] decodeInput(float[] x) {
        return INTERLEAVED_DECODE ? interleave(x, 0, cols, MATMUL_INPUT) : null;
    }

    /*
     * The decode kernel at 16 float lanes (512 bits), as Q4_K's (see Q4_KTensor): the quants of half n are read as
     * 16 int lanes, ql[64n ..] in one load and the 64 bytes of qh in another, whose lanes 8n..8n+7 are repeated
     * into both halves of the vector, the upper half shifted right by 2. Bits 4k..4k+3 of int lane i of ql
     * (k = 0..7, m = k/2, p = k%2) are then the low 4 bits of element
     *   e = 4i + m + 64p                 for i < 8  (ql bytes 0..31 of the half)
     *   e = 4(i - 8) + m + 32 + 64p      for i >= 8 (ql bytes 32..63)
     * of the half, and bits 4k..4k+1 of the shifted qh lane its high 2 bits. Position 128n + 16k + i of a
     * super-block's decode input holds that activation; element e is in sub-block 8n + 4p + i/4, whose scale the
     * sums of one k parity take by a permute. The -32 of every quant is one 16-lane product per super-block: the
     * scales times d against -32 times the sub-blocks' activation sums, held after the activations.
     */

    /** Position p of a super-block's decode input holds the super-block's activation {@code ORDER[p]}. */
    private static final int[] ORDER = new int[BLOCK];

    /** For half n and k odd or even (index 2n + k%2): the scale lanes of the sub-blocks of the sums' lanes. */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[] LANE_SCALES = new VectorShuffle[4];

    /** For half n: qh's lanes 8n..8n+7, in both halves of the vector. */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Integer>[] QH_HALF = new VectorShuffle[2];

    /** The right shift of qh per lane: lanes 8..15 hold bits 2..3 (and 6..7) of each byte. */
    private static final IntVector QH_SHIFT;

    static {
        for (int n = 0; n < 2; n++) {
            for (int k = 0; k < 8; k++) {
                for (int i = 0; i < 16; i++) {
                    int m = k / 2, p = k % 2;
                    int e = i < 8 ? 4 * i + m + 64 * p : 4 * (i - 8) + m + 32 + 64 * p;
                    ORDER[128 * n + 16 * k + i] = 128 * n + e;
                }
            }
        }
        int[] shifts = new int[QLANES];
        if (INTERLEAVED_DECODE) {
            for (int np = 0; np < 4; np++) {
                int[] lanes = new int[QLANES];
                for (int i = 0; i < QLANES; i++) {
                    lanes[i] = 8 * (np / 2) + 4 * (np % 2) + i / 4;
                }
                LANE_SCALES[np] = VectorShuffle.fromArray(QF, lanes, 0);
            }
            for (int n = 0; n < 2; n++) {
                int[] lanes = new int[QLANES];
                for (int i = 0; i < QLANES; i++) {
                    lanes[i] = 8 * n + i % 8;
                }
                QH_HALF[n] = VectorShuffle.fromArray(QI, lanes, 0);
            }
            for (int i = 8; i < QLANES; i++) {
                shifts[i] = 2;
            }
        }
        QH_SHIFT = IntVector.fromArray(QI, shifts, 0);
    }

    /** Per-thread decode inputs: one for {@link #decodeInput}, one for a single {@link #dotVector}. */
    private static final ThreadLocal<float[][]> MATMUL_INPUT = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> DOT_INPUT = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * The decode input of {@code x[xOff .. xOff + cols)} in this thread's buffer of {@code slot}: the activations in
     * {@link #ORDER}, then per super-block -32 times the sums of its 16 sub-blocks' activations.
     */
    private static float[] interleave(float[] x, int xOff, int cols, ThreadLocal<float[][]> slot) {
        float[] in = Kernels.decodeBuffer(slot, Kernels.kDecodeLength(cols));
        interleaveInto(x, xOff, cols, in, 0);
        return in;
    }

    /** {@link #interleave} into {@code in} from {@code inOff} ({@link Kernels#kDecodeLength} floats). */
    private static void interleaveInto(float[] x, int xOff, int cols, float[] in, int inOff) {
        int nb = cols / BLOCK;
        for (int b = 0; b < nb; b++) {
            int xb = xOff + b * BLOCK, ib = inOff + b * BLOCK;
            for (int p = 0; p < BLOCK; p++) {
                in[ib + p] = x[xb + ORDER[p]];
            }
            for (int j = 0; j < 16; j++) {
                float sum = 0f;
                for (int l = 0; l < 16; l++) {
                    sum += x[xb + 16 * j + l];
                }
                in[inOff + cols + 16 * b + j] = -32f * sum;
            }
        }
    }

    /**
     * The decode kernel at 16 float lanes (see the comment above {@link #ORDER}), against a decode input: per
     * super-block 3 loads of quants, 2 permutes of qh, 16 conversions and 16 multiply-adds in chains of 4 (the
     * kernel of {@link #dotWide} chains 16 multiply-adds per super-block through one accumulator). JDK calls only.
     */
    private float dotInterleaved(long row, float[] in) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        FloatVector acc = FloatVector.zero(QF), acc2 = acc, offsets = acc;
        IntVector lo = IntVector.broadcast(QI, 0xF), hi = IntVector.broadcast(QI, 0x30);
        for (int blk = 0; blk < nb; blk++) {
            long o = base + (long) blk * BYTES;
            int xo = blk * BLOCK;
            FloatVector s = ((FloatVector) ByteVector.fromMemorySegment(Kernels.B128, data, o + 192, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0))
                    .mul(Float.float16ToFloat(data.get(Kernels.SHORT_LE, o + 208)));
            offsets = s.fma(FloatVector.fromArray(QF, in, cols + 16 * blk), offsets);
            IntVector qh = IntVector.fromMemorySegment(QI, data, o + 128, LITTLE_ENDIAN);
            for (int n = 0; n < 2; n++) {
                IntVector q = IntVector.fromMemorySegment(QI, data, o + 64 * n, LITTLE_ENDIAN);
                IntVector h = qh.rearrange(QH_HALF[n]).lanewise(VectorOperators.LSHR, QH_SHIFT);
                int xh = xo + 128 * n;
                FloatVector even = ((FloatVector) q.and(lo).or(h.lanewise(VectorOperators.LSHL, 4).and(hi))
                        .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(QF, in, xh));
                FloatVector odd = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(lo).or(h.and(hi))
                        .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(QF, in, xh + 16));
                even = ((FloatVector) q.lanewise(VectorOperators.LSHR, 8).and(lo)
                        .or(h.lanewise(VectorOperators.LSHR, 4).and(hi)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 32), even);
                odd = ((FloatVector) q.lanewise(VectorOperators.LSHR, 12).and(lo)
                        .or(h.lanewise(VectorOperators.LSHR, 8).and(hi)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 48), odd);
                even = ((FloatVector) q.lanewise(VectorOperators.LSHR, 16).and(lo)
                        .or(h.lanewise(VectorOperators.LSHR, 12).and(hi)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 64), even);
                odd = ((FloatVector) q.lanewise(VectorOperators.LSHR, 20).and(lo)
                        .or(h.lanewise(VectorOperators.LSHR, 16).and(hi)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 80), odd);
                even = ((FloatVector) q.lanewise(VectorOperators.LSHR, 24).and(lo)
                        .or(h.lanewise(VectorOperators.LSHR, 20).and(hi)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 96), even);
                odd = ((FloatVector) q.lanewise(VectorOperators.LSHR, 28)
                        .or(h.lanewise(VectorOperators.LSHR, 24).and(hi)).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 112), odd);
                acc = even.fma(s.rearrange(LANE_SCALES[2 * n]), acc);
                acc2 = odd.fma(s.rearrange(LANE_SCALES[2 * n + 1]), acc2);
            }
        }
        return acc.add(acc2).add(offsets).reduceLanes(VectorOperators.ADD);
    }

    /** Per-thread decode inputs of two activation rows ({@link #decodeInputs}). */
    private static final ThreadLocal<float[][]> MATMUL_INPUTS = ThreadLocal.withInitial(() -> new float[1][0]);

    /** Two activation rows' decode inputs, one after the other, for {@link #decodedRowOf2}; null for other batches. */
    @Override
    float[] decodeInputs(float[] x, int batch) {
        return batch == 2 && INTERLEAVED_DECODE
                ? Kernels.kDecodeInputsOf2(MATMUL_INPUTS, x, cols, Q6_KTensor::interleaveInto) : null;
    }

    @Override
    boolean hasDecodedRowsOf2() {
        return INTERLEAVED_DECODE;
    }

    /**
     * {@link #dotInterleaved} for two activation rows, whose decode inputs start at 0 and {@code n2} of {@code in}
     * (see Q4_KTensor's).
     */
    @Override
    void decodedRowOf2(long row, float[] in, float[] out, int oo, int os) {
        int nb = cols / BLOCK, n2 = Kernels.kDecodeLength(cols);
        long base = row * nb * BYTES;
        FloatVector acc = FloatVector.zero(QF), acc2 = acc, offsets = acc, bcc = acc, bcc2 = acc, boffsets = acc;
        IntVector lo = IntVector.broadcast(QI, 0xF), hi = IntVector.broadcast(QI, 0x30);
        for (int blk = 0; blk < nb; blk++) {
            long o = base + (long) blk * BYTES;
            int xo = blk * BLOCK;
            FloatVector s = ((FloatVector) ByteVector.fromMemorySegment(Kernels.B128, data, o + 192, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0))
                    .mul(Float.float16ToFloat(data.get(Kernels.SHORT_LE, o + 208)));
            offsets = s.fma(FloatVector.fromArray(QF, in, cols + 16 * blk), offsets);
            boffsets = s.fma(FloatVector.fromArray(QF, in, n2 + cols + 16 * blk), boffsets);
            IntVector qh = IntVector.fromMemorySegment(QI, data, o + 128, LITTLE_ENDIAN);
            for (int n = 0; n < 2; n++) {
                IntVector q = IntVector.fromMemorySegment(QI, data, o + 64 * n, LITTLE_ENDIAN);
                IntVector h = qh.rearrange(QH_HALF[n]).lanewise(VectorOperators.LSHR, QH_SHIFT);
                int xh = xo + 128 * n;
                FloatVector w;
                w = (FloatVector) q.and(lo)
                        .or(h.lanewise(VectorOperators.LSHL, 4).and(hi)).convert(VectorOperators.I2F, 0);
                FloatVector even = w.mul(FloatVector.fromArray(QF, in, xh));
                FloatVector beven = w.mul(FloatVector.fromArray(QF, in, n2 + xh));
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(lo)
                        .or(h.and(hi)).convert(VectorOperators.I2F, 0);
                FloatVector odd = w.mul(FloatVector.fromArray(QF, in, xh + 16));
                FloatVector bodd = w.mul(FloatVector.fromArray(QF, in, n2 + xh + 16));
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 8).and(lo)
                        .or(h.lanewise(VectorOperators.LSHR, 4).and(hi)).convert(VectorOperators.I2F, 0);
                even = w.fma(FloatVector.fromArray(QF, in, xh + 32), even);
                beven = w.fma(FloatVector.fromArray(QF, in, n2 + xh + 32), beven);
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 12).and(lo)
                        .or(h.lanewise(VectorOperators.LSHR, 8).and(hi)).convert(VectorOperators.I2F, 0);
                odd = w.fma(FloatVector.fromArray(QF, in, xh + 48), odd);
                bodd = w.fma(FloatVector.fromArray(QF, in, n2 + xh + 48), bodd);
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 16).and(lo)
                        .or(h.lanewise(VectorOperators.LSHR, 12).and(hi)).convert(VectorOperators.I2F, 0);
                even = w.fma(FloatVector.fromArray(QF, in, xh + 64), even);
                beven = w.fma(FloatVector.fromArray(QF, in, n2 + xh + 64), beven);
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 20).and(lo)
                        .or(h.lanewise(VectorOperators.LSHR, 16).and(hi)).convert(VectorOperators.I2F, 0);
                odd = w.fma(FloatVector.fromArray(QF, in, xh + 80), odd);
                bodd = w.fma(FloatVector.fromArray(QF, in, n2 + xh + 80), bodd);
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 24).and(lo)
                        .or(h.lanewise(VectorOperators.LSHR, 20).and(hi)).convert(VectorOperators.I2F, 0);
                even = w.fma(FloatVector.fromArray(QF, in, xh + 96), even);
                beven = w.fma(FloatVector.fromArray(QF, in, n2 + xh + 96), beven);
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 28)
                        .or(h.lanewise(VectorOperators.LSHR, 24).and(hi)).convert(VectorOperators.I2F, 0);
                odd = w.fma(FloatVector.fromArray(QF, in, xh + 112), odd);
                bodd = w.fma(FloatVector.fromArray(QF, in, n2 + xh + 112), bodd);
                FloatVector se = s.rearrange(LANE_SCALES[2 * n]), so = s.rearrange(LANE_SCALES[2 * n + 1]);
                acc = even.fma(se, acc);
                acc2 = odd.fma(so, acc2);
                bcc = beven.fma(se, bcc);
                bcc2 = bodd.fma(so, bcc2);
            }
        }
        out[oo] = acc.add(acc2).add(offsets).reduceLanes(VectorOperators.ADD);
        out[oo + os] = bcc.add(bcc2).add(boffsets).reduceLanes(VectorOperators.ADD);
    }

    /** {@link Tensor#dotRows}, compiled against this class's own kernels, with the scratch looked up once. */
    @Override
    void dotRows(float[] x, float[] xd, float[] out, int outOffset, int start, int end) {
        if (INTERLEAVED_DECODE) {
            float[] in = xd != null ? xd : interleave(x, 0, cols, DOT_INPUT);
            for (int r = start; r < end; r++) {
                out[outOffset + r] = dotInterleaved(r, in);
            }
            return;
        }
        if (ONE_PART) {
            float[] sm = SCALES.get();
            for (int r = start; r < end; r++) {
                out[outOffset + r] = dotWide(r, x, 0, sm);
            }
            return;
        }
        for (int r = start; r < end; r++) {
            out[outOffset + r] = dotVector(r, x, 0);
        }
    }

    /** Per-thread scratch of {@link #dotWide}: a super-block's 16 scales times d. */
    private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[16]);

    /**
     * The Vector API path where one chunk of quants fills one float vector ({@link Kernels#ONE_PART}: 256 and 512
     * bits). The 16 scales of a super-block are widened and multiplied by d in vector lanes and stored, so each
     * sub-block's factor is broadcast straight from memory instead of being converted in scalar registers (which
     * compete with the vector work for the same ports); one loop over the row (one lane reduction per row) keeps
     * the constants in registers. The quants are decoded in int lanes (one widening per load): x86 has no byte
     * shifts, and int lanes need one conversion to float where byte lanes need two. JDK calls only: C2
     * force-inlines those calls, while our own small helpers can fall outside its inlining budget in a big
     * compilation unit, and a helper left out of line boxes its vectors on every call.
     */
    private float dotWide(long row, float[] x, int xOff, float[] sm) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        FloatVector acc = FloatVector.zero(QF);
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            int xo = xOff + b * BLOCK;
            ByteVector scales = ByteVector.fromMemorySegment(Kernels.B128, data, o + 192, LITTLE_ENDIAN);
            float d = Float.float16ToFloat(data.get(Kernels.SHORT_LE, o + 208));
            for (int p = 0; p < 16 / QLANES; p++) {
                ((FloatVector) scales.convertShape(VectorOperators.B2F, QF, p)).mul(d).intoArray(sm, p * QLANES);
            }
            for (int h = 0; h < 2; h++) {
                long ql = o + 64 * h, qh = o + 128 + 32 * h;
                int xh = xo + 128 * h;
                for (int s = 0; s < 2; s++) {
                    FloatVector s1 = FloatVector.zero(QF), s2 = s1, s3 = s1, s4 = s1;
                    for (int l = 16 * s; l < 16 * s + 16; l += CH) {
                        IntVector a = (IntVector) ByteVector.fromMemorySegment(BS, data, ql + l, LITTLE_ENDIAN)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                        IntVector c = (IntVector) ByteVector.fromMemorySegment(BS, data, ql + l + 32, LITTLE_ENDIAN)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                        IntVector hb = (IntVector) ByteVector.fromMemorySegment(BS, data, qh + l, LITTLE_ENDIAN)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                        IntVector q1 = a.and(0xF).or(hb.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32);
                        IntVector q2 = c.and(0xF).or(hb.and(12).lanewise(VectorOperators.LSHL, 2)).sub(32);
                        IntVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(hb.and(48)).sub(32);
                        IntVector q4 = c.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 2).and(48))
                                .sub(32);
                        s1 = ((FloatVector) q1.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(QF, x, xh + l), s1);
                        s2 = ((FloatVector) q2.convert(VectorOperators.I2F, 0))
                                .fma(FloatVector.fromArray(QF, x, xh + l + 32), s2);
                        s3 = ((FloatVector) q3.convert(VectorOperators.I2F, 0))
                                .fma(FloatVector.fromArray(QF, x, xh + l + 64), s3);
                        s4 = ((FloatVector) q4.convert(VectorOperators.I2F, 0))
                                .fma(FloatVector.fromArray(QF, x, xh + l + 96), s4);
                    }
                    int k = 8 * h + s;
                    acc = s1.fma(FloatVector.broadcast(QF, sm[k]), acc);
                    acc = s2.fma(FloatVector.broadcast(QF, sm[k + 2]), acc);
                    acc = s3.fma(FloatVector.broadcast(QF, sm[k + 4]), acc);
                    acc = s4.fma(FloatVector.broadcast(QF, sm[k + 6]), acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    boolean hasFusedRows() {
        return true;
    }

    /**
     * The fused small-batch path (where one chunk fills one float vector): each chunk of quants decoded and scaled
     * once for up to 4 activation rows. Rows past the batch repeat its last row, as in {@link Q4_0Tensor}.
     */
    @Override
    void fusedRows(long row, float[] x, int batch, float[] out, int o, int os) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        int x1 = cols, x2 = Math.min(2, batch - 1) * cols, x3 = Math.min(3, batch - 1) * cols;
        FloatVector a0 = FloatVector.zero(QF), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++) {
            long off = base + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(Kernels.SHORT_LE, off + 208));
            for (int h = 0; h < 2; h++) {
                long ql = off + 64 * h, qh = off + 128 + 32 * h, sc = off + 192 + 8 * h;
                int xh = b * BLOCK + 128 * h;
                for (int s = 0; s < 2; s++) {
                    FloatVector d1 = FloatVector.broadcast(QF, d * data.get(ValueLayout.JAVA_BYTE, sc + s));
                    FloatVector d2 = FloatVector.broadcast(QF, d * data.get(ValueLayout.JAVA_BYTE, sc + s + 2));
                    FloatVector d3 = FloatVector.broadcast(QF, d * data.get(ValueLayout.JAVA_BYTE, sc + s + 4));
                    FloatVector d4 = FloatVector.broadcast(QF, d * data.get(ValueLayout.JAVA_BYTE, sc + s + 6));
                    for (int l = 16 * s; l < 16 * s + 16; l += CH) {
                        IntVector qa = (IntVector) ByteVector.fromMemorySegment(BS, data, ql + l, LITTLE_ENDIAN)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                        IntVector qc = (IntVector) ByteVector.fromMemorySegment(BS, data, ql + l + 32, LITTLE_ENDIAN)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                        IntVector hb = (IntVector) ByteVector.fromMemorySegment(BS, data, qh + l, LITTLE_ENDIAN)
                                .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                        FloatVector w1 = ((FloatVector) qa.and(0xF).or(hb.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32)
                                .convert(VectorOperators.I2F, 0)).mul(d1);
                        FloatVector w2 = ((FloatVector) qc.and(0xF).or(hb.and(12).lanewise(VectorOperators.LSHL, 2)).sub(32)
                                .convert(VectorOperators.I2F, 0)).mul(d2);
                        FloatVector w3 = ((FloatVector) qa.lanewise(VectorOperators.LSHR, 4).or(hb.and(48)).sub(32)
                                .convert(VectorOperators.I2F, 0)).mul(d3);
                        FloatVector w4 = ((FloatVector) qc.lanewise(VectorOperators.LSHR, 4)
                                .or(hb.lanewise(VectorOperators.LSHR, 2).and(48)).sub(32).convert(VectorOperators.I2F, 0)).mul(d4);
                        int e = xh + l;
                        a0 = w4.fma(FloatVector.fromArray(QF, x, e + 96), w3.fma(FloatVector.fromArray(QF, x, e + 64),
                                w2.fma(FloatVector.fromArray(QF, x, e + 32), w1.fma(FloatVector.fromArray(QF, x, e), a0))));
                        e += x1;
                        a1 = w4.fma(FloatVector.fromArray(QF, x, e + 96), w3.fma(FloatVector.fromArray(QF, x, e + 64),
                                w2.fma(FloatVector.fromArray(QF, x, e + 32), w1.fma(FloatVector.fromArray(QF, x, e), a1))));
                        e = x2 + xh + l;
                        a2 = w4.fma(FloatVector.fromArray(QF, x, e + 96), w3.fma(FloatVector.fromArray(QF, x, e + 64),
                                w2.fma(FloatVector.fromArray(QF, x, e + 32), w1.fma(FloatVector.fromArray(QF, x, e), a2))));
                        e = x3 + xh + l;
                        a3 = w4.fma(FloatVector.fromArray(QF, x, e + 96), w3.fma(FloatVector.fromArray(QF, x, e + 64),
                                w2.fma(FloatVector.fromArray(QF, x, e + 32), w1.fma(FloatVector.fromArray(QF, x, e), a3))));
                    }
                }
            }
        }
        Kernels.storeRows(a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD), batch, out, o, os);
    }

    /** The Vector API path for other widths (a chunk of quants spans several float vectors). */
    private float blockDotParts(long o, float[] x, int xo) {
        FloatVector acc = zero();
        float d = f16(data, o + 208);
        for (int h = 0; h < 2; h++) {
            long ql = o + 64 * h, qh = o + 128 + 32 * h, sc = o + 192 + 8 * h;
            int xh = xo + 128 * h;
            for (int s = 0; s < 2; s++) {
                FloatVector s1 = zero(), s2 = zero(), s3 = zero(), s4 = zero();
                for (int l = 16 * s; l < 16 * s + 16; l += CH) {
                    ByteVector a = loadB(data, ql + l), c = loadB(data, ql + l + 32), hb = loadB(data, qh + l);
                    // constant vectors and no helper calls: C2's inlining depth is the limit here
                    ByteVector h1 = hb.and(M3), h2 = hb.and(M12);
                    h1 = h1.add(h1);
                    h1 = h1.add(h1);
                    h1 = h1.add(h1);
                    h1 = h1.add(h1); // << 4 as four adds: x86 has no byte shift left
                    h2 = h2.add(h2);
                    h2 = h2.add(h2);
                    ByteVector q1 = a.and(M4).or(h1).sub(C32);
                    ByteVector q2 = c.and(M4).or(h2).sub(C32);
                    ByteVector q3 = a.lanewise(VectorOperators.LSHR, 4).or(hb.and(M48)).sub(C32);
                    ByteVector q4 = c.lanewise(VectorOperators.LSHR, 4).or(hb.lanewise(VectorOperators.LSHR, 2).and(M48)).sub(C32);
                    s1 = dotB(q1, x, xh + l, s1);
                    s2 = dotB(q2, x, xh + l + 32, s2);
                    s3 = dotB(q3, x, xh + l + 64, s3);
                    s4 = dotB(q4, x, xh + l + 96, s4);
                }
                // JDK calls only (they are force-inlined): C2 stops inlining our helpers past its node budget
                acc = s1.fma(FloatVector.broadcast(QF, d * data.get(ValueLayout.JAVA_BYTE, sc + s)), acc);
                acc = s2.fma(FloatVector.broadcast(QF, d * data.get(ValueLayout.JAVA_BYTE, sc + s + 2)), acc);
                acc = s3.fma(FloatVector.broadcast(QF, d * data.get(ValueLayout.JAVA_BYTE, sc + s + 4)), acc);
                acc = s4.fma(FloatVector.broadcast(QF, d * data.get(ValueLayout.JAVA_BYTE, sc + s + 6)), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static final ByteVector M4 = ByteVector.broadcast(BS, (byte) 0x0F);
    private static final ByteVector M3 = ByteVector.broadcast(BS, (byte) 3);
    private static final ByteVector M12 = ByteVector.broadcast(BS, (byte) 12);
    private static final ByteVector M48 = ByteVector.broadcast(BS, (byte) 48);
    private static final ByteVector C32 = ByteVector.broadcast(BS, (byte) 32);

    /**
     * ggml's quantize_row_q6_K_ref: per 16 values a symmetric 6-bit search (make_qx_quants, weights x²), the 16
     * scales quantized to int8 against the largest, then the levels recomputed with the stored scales.
     */
    public static void quantizeRow(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        byte[] L = new byte[BLOCK];
        float[] scales = new float[16];
        for (int b = 0; b < n / BLOCK; b++) {
            int x = srcOff + b * BLOCK, o = dstOff + b * BYTES;
            float maxScale = 0, maxAbsScale = 0;
            for (int ib = 0; ib < 16; ib++) {
                float s = QuantMath.makeQxQuants(16, 32, src, x + 16 * ib, L, 16 * ib);
                scales[ib] = s;
                if (Math.abs(s) > maxAbsScale) {
                    maxAbsScale = Math.abs(s);
                    maxScale = s;
                }
            }
            java.util.Arrays.fill(dst, o, o + BYTES, (byte) 0);
            if (maxAbsScale < QuantMath.GROUP_MAX_EPS) {
                continue;
            }
            float iscale = -128f / maxScale;
            QuantMath.putF16(dst, o + 208, 1 / iscale);
            float d = QuantMath.f16(dst, o + 208);
            for (int ib = 0; ib < 16; ib++) {
                int sc = Math.min(127, QuantMath.nearestInt(iscale * scales[ib]));
                dst[o + 192 + ib] = (byte) sc;
                float ds = d * (byte) sc;
                if (ds == 0) continue;
                for (int i = 0; i < 16; i++) {
                    int l = QuantMath.nearestInt(src[x + 16 * ib + i] / ds);
                    L[16 * ib + i] = (byte) (Math.max(-32, Math.min(31, l)) + 32);
                }
            }
            for (int h = 0; h < 2; h++) {
                int j = 128 * h, ql = o + 64 * h, qh = o + 128 + 32 * h;
                for (int l = 0; l < 32; l++) {
                    int q1 = L[j + l], q2 = L[j + l + 32], q3 = L[j + l + 64], q4 = L[j + l + 96];
                    dst[ql + l] = (byte) ((q1 & 0xF) | (q3 & 0xF) << 4);
                    dst[ql + l + 32] = (byte) ((q2 & 0xF) | (q4 & 0xF) << 4);
                    dst[qh + l] = (byte) ((q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
                }
            }
        }
    }
}
