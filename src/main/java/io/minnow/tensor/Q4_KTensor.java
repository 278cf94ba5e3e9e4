package io.minnow.tensor;

import static io.minnow.tensor.Kernels.BS;
import static io.minnow.tensor.Kernels.CH;
import static io.minnow.tensor.Kernels.INT_LE;
import static io.minnow.tensor.Kernels.INTERLEAVED_DECODE;
import static io.minnow.tensor.Kernels.NIBBLE_LOOKUP;
import static io.minnow.tensor.Kernels.ONE_PART;
import static io.minnow.tensor.Kernels.QF;
import static io.minnow.tensor.Kernels.QI;
import static io.minnow.tensor.Kernels.QLANES;
import static io.minnow.tensor.Kernels.SHORT_LE;
import static io.minnow.tensor.Kernels.dotB;
import static io.minnow.tensor.Kernels.f16;
import static io.minnow.tensor.Kernels.minK4;
import static io.minnow.tensor.Kernels.scaleK4;
import static io.minnow.tensor.Kernels.storeScaledMin;
import static io.minnow.tensor.Kernels.u8;
import static io.minnow.tensor.Kernels.zero;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Q4_K: super-blocks of 256 elements in 144 bytes, 8 sub-blocks of 32 with 6-bit scales and mins.
 * <pre>
 * offset 0    f16  d
 * offset 2    f16  dmin
 * offset 4    u8   scales[12]   scale/min of sub-block j (get_scale_min_k4):
 *                               j &lt; 4: sc = scales[j] &amp; 63, m = scales[j+4] &amp; 63
 *                               j &gt;= 4: sc = (scales[j+4] &amp; 0xF) | (scales[j-4] &gt;&gt; 6) &lt;&lt; 4
 *                                       m = (scales[j+4] &gt;&gt; 4) | (scales[j] &gt;&gt; 6) &lt;&lt; 4
 * offset 16   u8   qs[128]      group g (0..3) of 64 elements uses qs[32g .. 32g+32):
 *                               element 64g + l      = d*sc(2g)   * (qs[32g+l] &amp; 0xF) - dmin*m(2g)
 *                               element 64g + 32 + l = d*sc(2g+1) * (qs[32g+l] &gt;&gt; 4)  - dmin*m(2g+1)
 * </pre>
 */
public final class Q4_KTensor extends Tensor {
    static final int BLOCK = 256;
    static final int BYTES = 144;

    public Q4_KTensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_K;
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
                long q = o + 16 + 32 * g;
                for (int l = 0; l < 32; l++) {
                    int v = u8(data, q + l);
                    out[y + 64 * g + l] = d1 * (v & 0xF) - m1;
                    out[y + 64 * g + 32 + l] = d2 * (v >>> 4) - m2;
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
            float d = f16(data, o);
            float dmin = f16(data, o + 2);
            int y = off + b * BLOCK;
            for (int g = 0; g < 4; g++) {
                float d1 = d * scaleK4(data, o + 4, 2 * g), m1 = dmin * minK4(data, o + 4, 2 * g);
                float d2 = d * scaleK4(data, o + 4, 2 * g + 1), m2 = dmin * minK4(data, o + 4, 2 * g + 1);
                long q = o + 16 + 32 * g;
                for (int c = 0; c < 32; c += CH) {
                    ByteVector v = ByteVector.fromMemorySegment(BS, data, q + c, LITTLE_ENDIAN);
                    if (ONE_PART) {
                        // JDK calls only: C2 may box vectors passed to a helper (see Q4_0Tensor.dequantizeRowVector)
                        ((FloatVector) v.and((byte) 0x0F).convertShape(VectorOperators.B2F, QF, 0)).mul(d1).sub(m1)
                                .intoArray(out, y + 64 * g + c);
                        ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2F, QF, 0)).mul(d2)
                                .sub(m2).intoArray(out, y + 64 * g + 32 + c);
                    } else {
                        storeScaledMin(v.and((byte) 0x0F), d1, m1, out, y + 64 * g + c);
                        storeScaledMin(v.lanewise(VectorOperators.LSHR, 4), d2, m2, out, y + 64 * g + 32 + c);
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
            float d = f16(data, o);
            float dmin = f16(data, o + 2);
            int xo = xOff + b * BLOCK;
            for (int g = 0; g < 4; g++) {
                long q = o + 16 + 32 * g;
                int x1 = xo + 64 * g, x2 = x1 + 32;
                float s1 = 0f, s2 = 0f, sx1 = 0f, sx2 = 0f;
                for (int l = 0; l < 32; l++) {
                    int v = u8(data, q + l);
                    s1 += (v & 0xF) * x[x1 + l];
                    s2 += (v >>> 4) * x[x2 + l];
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
            float[] in = interleave(x, xOff, cols, DOT_INPUT);
            return dotInterleaved(row, in);
        }
        if (ONE_PART) {
            return dotNarrow(row, x, xOff);
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

    /** {@link Tensor#dotRows}, compiled against this class's own kernels. */
    @Override
    void dotRows(float[] x, float[] xd, float[] out, int outOffset, int start, int end) {
        if (INTERLEAVED_DECODE) {
            float[] in = xd != null ? xd : interleave(x, 0, cols, DOT_INPUT);
            for (int r = start; r < end; r++) {
                out[outOffset + r] = dotInterleaved(r, in);
            }
            return;
        }
        for (int r = start; r < end; r++) {
            out[outOffset + r] = dotVector(r, x, 0);
        }
    }

    /**
     * The Vector API path at 8 lanes (256 bits, where one chunk of quants fills one float vector but a 16-entry
     * table does not): per sub-block, the dot products with the nibbles and the sum of the activations, times the
     * scale and the minimum that {@link Kernels#scalesAndMinsK4} decoded in vector lanes and stored, each broadcast
     * straight from memory. One loop over the row. JDK calls only: C2 force-inlines those calls, while our own small
     * helpers can fall outside its inlining budget in a big compilation unit, and a helper left out of line boxes
     * its vectors on every call.
     */
    private float dotNarrow(long row, float[] x, int xOff) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        float[] sm = Kernels.scalesAndMinsK4Row(data, base, nb, BYTES);
        FloatVector acc = FloatVector.zero(QF);
        for (int blk = 0; blk < nb; blk++) {
            long o = base + (long) blk * BYTES;
            int xo = xOff + blk * BLOCK;
            int s0 = 16 * blk;
            for (int g = 0; g < 4; g++) {
                long q = o + 16 + 32 * g;
                int x1 = xo + 64 * g, x2 = x1 + 32;
                FloatVector s1 = FloatVector.zero(QF), s2 = s1, m1 = s1, m2 = s1;
                for (int c = 0; c < 32; c += CH) {
                    ByteVector v = ByteVector.fromMemorySegment(BS, data, q + c, ByteOrder.LITTLE_ENDIAN);
                    s1 = ((FloatVector) v.and((byte) 0x0F).convertShape(VectorOperators.B2F, QF, 0))
                            .fma(FloatVector.fromArray(QF, x, x1 + c), s1);
                    s2 = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2F, QF, 0))
                            .fma(FloatVector.fromArray(QF, x, x2 + c), s2);
                }
                for (int i = 0; i < 32; i += QLANES) {
                    // the loaded vector as receiver: its class is known, so C2 inlines the add
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
     * The floats 0..15. Where {@link Kernels#NIBBLE_LOOKUP} holds, the fused small-batch path dequantizes by table
     * lookup: a sub-block's 16 possible values {@code d*sc*q - dmin*m} are this vector times one FMA, and one permute
     * turns 16 nibbles into weights, which then serve every activation row.
     */
    private static final FloatVector NIBBLES = Kernels.nibbleTable(0);

    /*
     * The decode kernel at 16 float lanes (512 bits) reads the quants 64 bytes at a time as 16 int lanes, with no
     * widening shuffle: bits 4k..4k+3 of int lane i (k = 0..7) are one nibble for each lane, and the activations are
     * laid out to match, once per matmul (decodeInput). Byte 4i + k/2 of a 64-byte half h of qs is byte
     * 4(i % 8) + k/2 of group 2h + i/8, and its low (k even) or high (k odd) nibble is the weight of element
     *   64 (2h + i/8) + 32 (k % 2) + 4 (i % 8) + k/2
     * of the super-block, so position 128h + 16k + i of a super-block's decode input holds that activation. The
     * nibbles are converted to float, multiplied by their activations and summed per (h, k odd or even), which
     * leaves one sub-block in lanes 0..7 and another in lanes 8..15: sub-blocks 4h + k%2 and 4h + 2 + k%2. Those
     * sums are scaled by their sub-blocks' d * scale (rearranged from the decoded scales), and the minimums are
     * one 16-lane product per super-block: -dmin * min against the sub-blocks' activation sums, which the decode
     * input holds after the activations (16 floats per super-block: 8 zeros facing the scales, then the 8 sums).
     */

    /** Position p of a super-block's decode input holds the super-block's activation {@code ORDER[p]}. */
    private static final int[] ORDER = new int[BLOCK];

    /**
     * For half h and k odd or even (index 2h + k%2): the decoded-scale lanes of the sub-blocks that the sums hold.
     * Q5_K, whose quants and scales are laid out as Q4_K's, shares this and {@link #interleave}.
     */
    @SuppressWarnings("unchecked")
    static final VectorShuffle<Float>[] LANE_SCALES = new VectorShuffle[4];

    static {
        for (int h = 0; h < 2; h++) {
            for (int k = 0; k < 8; k++) {
                for (int i = 0; i < 16; i++) {
                    ORDER[128 * h + 16 * k + i] = 64 * (2 * h + i / 8) + 32 * (k % 2) + 4 * (i % 8) + k / 2;
                }
            }
        }
        if (INTERLEAVED_DECODE) {
            for (int hp = 0; hp < 4; hp++) {
                int[] lanes = new int[QLANES];
                for (int i = 0; i < QLANES; i++) {
                    lanes[i] = 4 * (hp / 2) + hp % 2 + (i >= 8 ? 2 : 0);
                }
                LANE_SCALES[hp] = VectorShuffle.fromArray(QF, lanes, 0);
            }
        }
    }

    /** Per-thread decode inputs: one for {@link #decodeInput}, one for a single {@link #dotVector}. */
    private static final ThreadLocal<float[][]> MATMUL_INPUT = ThreadLocal.withInitial(() -> new float[1][0]);
    private static final ThreadLocal<float[][]> DOT_INPUT = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * The decode input of {@code x[xOff .. xOff + cols)} in this thread's buffer of {@code slot}: the activations in
     * {@link #ORDER}, then per super-block 8 zeros and the sums of its 8 sub-blocks' activations.
     */
    static float[] interleave(float[] x, int xOff, int cols, ThreadLocal<float[][]> slot) {
        float[] in = Kernels.decodeBuffer(slot, Kernels.kDecodeLength(cols));
        interleaveInto(x, xOff, cols, in, 0);
        return in;
    }

    /** {@link #interleave} into {@code in} from {@code inOff} ({@link Kernels#kDecodeLength} floats). */
    static void interleaveInto(float[] x, int xOff, int cols, float[] in, int inOff) {
        int nb = cols / BLOCK;
        for (int b = 0; b < nb; b++) {
            int xb = xOff + b * BLOCK, ib = inOff + b * BLOCK;
            for (int p = 0; p < BLOCK; p++) {
                in[ib + p] = x[xb + ORDER[p]];
            }
            int s = inOff + cols + 16 * b;
            for (int j = 0; j < 8; j++) {
                float sum = 0f;
                for (int l = 0; l < 32; l++) {
                    sum += x[xb + 32 * j + l];
                }
                in[s + j] = 0f;
                in[s + 8 + j] = sum;
            }
        }
    }

    /**
     * The decode kernel at 16 float lanes (see the comment above {@link #ORDER}), against a decode input. Per
     * super-block 2 loads of quants, 14 shifts, 14 masks, 16 conversions and 16 multiply-adds, 4 scale permutes and
     * 5 multiply-adds, where the nibble lookup took 8 widening shuffles and 16 permutes: 35-43 cycles per super-block
     * against 70-77 in L1 (docs/performance.md). The scales are decoded in the loop, from the super-block's header:
     * 5-15% fewer cycles than decoding a row's scales into scratch first and loading them back. One loop over the
     * row; JDK calls only.
     */
    private float dotInterleaved(long row, float[] in) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        FloatVector acc = FloatVector.zero(QF), acc2 = acc, mins = acc;
        IntVector m = IntVector.broadcast(QI, 15);
        for (int blk = 0; blk < nb; blk++) {
            long h0 = base + (long) blk * BYTES, o = h0 + 16;
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
            for (int h = 0; h < 2; h++) {
                IntVector q = IntVector.fromMemorySegment(QI, data, o + 64 * h, LITTLE_ENDIAN);
                int xh = xo + 128 * h;
                FloatVector even = ((FloatVector) q.and(m).convert(VectorOperators.I2F, 0))
                        .mul(FloatVector.fromArray(QF, in, xh));
                FloatVector odd = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(m)
                        .convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(QF, in, xh + 16));
                even = ((FloatVector) q.lanewise(VectorOperators.LSHR, 8).and(m).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 32), even);
                odd = ((FloatVector) q.lanewise(VectorOperators.LSHR, 12).and(m).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 48), odd);
                even = ((FloatVector) q.lanewise(VectorOperators.LSHR, 16).and(m).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 64), even);
                odd = ((FloatVector) q.lanewise(VectorOperators.LSHR, 20).and(m).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 80), odd);
                even = ((FloatVector) q.lanewise(VectorOperators.LSHR, 24).and(m).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 96), even);
                odd = ((FloatVector) q.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(QF, in, xh + 112), odd);
                acc = even.fma(s.rearrange(LANE_SCALES[2 * h]), acc);
                acc2 = odd.fma(s.rearrange(LANE_SCALES[2 * h + 1]), acc2);
            }
        }
        return acc.add(acc2).add(mins).reduceLanes(VectorOperators.ADD);
    }

    /** Per-thread decode inputs of two activation rows ({@link #decodeInputs}). */
    private static final ThreadLocal<float[][]> MATMUL_INPUTS = ThreadLocal.withInitial(() -> new float[1][0]);

    /** Two activation rows' decode inputs, one after the other, for {@link #decodedRowOf2}; null for other batches. */
    @Override
    float[] decodeInputs(float[] x, int batch) {
        return batch == 2 && INTERLEAVED_DECODE
                ? Kernels.kDecodeInputsOf2(MATMUL_INPUTS, x, cols, Q4_KTensor::interleaveInto) : null;
    }

    @Override
    boolean hasDecodedRowsOf2() {
        return INTERLEAVED_DECODE;
    }

    /**
     * {@link #dotInterleaved} for two activation rows, whose decode inputs start at 0 and {@code n} of {@code in}:
     * each quant vector is converted once for both rows. Batches of 2 take it. The 4-row kernel
     * ({@link #fusedRows}) had cost as much at 2 rows as at 4, and more than two one-row passes: llama3.2-1b Q4_K_M,
     * 2 sequences, 125-134 ms per step against 38.6 for one; now 69-73 ms (docs/performance.md, "Loop variable
     * round").
     */
    @Override
    void decodedRowOf2(long row, float[] in, float[] out, int oo, int os) {
        int nb = cols / BLOCK, n = Kernels.kDecodeLength(cols);
        long base = row * nb * BYTES;
        FloatVector acc = FloatVector.zero(QF), acc2 = acc, mins = acc, bcc = acc, bcc2 = acc, bmins = acc;
        IntVector m = IntVector.broadcast(QI, 15);
        for (int blk = 0; blk < nb; blk++) {
            long h0 = base + (long) blk * BYTES, o = h0 + 16;
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
            bmins = s.fma(FloatVector.fromArray(QF, in, n + cols + 16 * blk), bmins);
            for (int h = 0; h < 2; h++) {
                IntVector q = IntVector.fromMemorySegment(QI, data, o + 64 * h, LITTLE_ENDIAN);
                int xh = xo + 128 * h, yh = n + xh;
                FloatVector w = (FloatVector) q.and(m).convert(VectorOperators.I2F, 0);
                FloatVector even = w.mul(FloatVector.fromArray(QF, in, xh));
                FloatVector beven = w.mul(FloatVector.fromArray(QF, in, yh));
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).and(m).convert(VectorOperators.I2F, 0);
                FloatVector odd = w.mul(FloatVector.fromArray(QF, in, xh + 16));
                FloatVector bodd = w.mul(FloatVector.fromArray(QF, in, yh + 16));
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 8).and(m).convert(VectorOperators.I2F, 0);
                even = w.fma(FloatVector.fromArray(QF, in, xh + 32), even);
                beven = w.fma(FloatVector.fromArray(QF, in, yh + 32), beven);
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 12).and(m).convert(VectorOperators.I2F, 0);
                odd = w.fma(FloatVector.fromArray(QF, in, xh + 48), odd);
                bodd = w.fma(FloatVector.fromArray(QF, in, yh + 48), bodd);
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 16).and(m).convert(VectorOperators.I2F, 0);
                even = w.fma(FloatVector.fromArray(QF, in, xh + 64), even);
                beven = w.fma(FloatVector.fromArray(QF, in, yh + 64), beven);
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 20).and(m).convert(VectorOperators.I2F, 0);
                odd = w.fma(FloatVector.fromArray(QF, in, xh + 80), odd);
                bodd = w.fma(FloatVector.fromArray(QF, in, yh + 80), bodd);
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 24).and(m).convert(VectorOperators.I2F, 0);
                even = w.fma(FloatVector.fromArray(QF, in, xh + 96), even);
                beven = w.fma(FloatVector.fromArray(QF, in, yh + 96), beven);
                w = (FloatVector) q.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0);
                odd = w.fma(FloatVector.fromArray(QF, in, xh + 112), odd);
                bodd = w.fma(FloatVector.fromArray(QF, in, yh + 112), bodd);
                FloatVector se = s.rearrange(LANE_SCALES[2 * h]), so = s.rearrange(LANE_SCALES[2 * h + 1]);
                acc = even.fma(se, acc);
                acc2 = odd.fma(so, acc2);
                bcc = beven.fma(se, bcc);
                bcc2 = bodd.fma(so, bcc2);
            }
        }
        out[oo] = acc.add(acc2).add(mins).reduceLanes(VectorOperators.ADD);
        out[oo + os] = bcc.add(bcc2).add(bmins).reduceLanes(VectorOperators.ADD);
    }

    @Override
    boolean hasFusedRows() {
        return NIBBLE_LOOKUP;
    }

    /**
     * The fused small-batch path ({@link Kernels#NIBBLE_LOOKUP} only): each sub-block's table and each chunk's
     * weights built once for up to 4 activation rows. Rows past the batch repeat its last row, as in
     * {@link Q4_0Tensor}.
     */
    @Override
    void fusedRows(long row, float[] x, int batch, float[] out, int o, int os) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        int x1 = cols, x2 = Math.min(2, batch - 1) * cols, x3 = Math.min(3, batch - 1) * cols;
        float[] sm = Kernels.scalesAndMinsK4Row(data, base, nb, BYTES);
        FloatVector a0 = FloatVector.zero(QF), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++) {
            long off = base + (long) b * BYTES;
            int s0 = 16 * b;
            for (int g = 0; g < 4; g++) {
                long q = off + 16 + 32 * g;
                int l0 = b * BLOCK + 64 * g, h0 = l0 + 32;
                IntVector lo = NIBBLES.fma(FloatVector.broadcast(QF, sm[s0 + 2 * g]),
                        FloatVector.broadcast(QF, sm[s0 + 8 + 2 * g])).reinterpretAsInts();
                IntVector hi = NIBBLES.fma(FloatVector.broadcast(QF, sm[s0 + 2 * g + 1]),
                        FloatVector.broadcast(QF, sm[s0 + 9 + 2 * g])).reinterpretAsInts();
                for (int c = 0; c < 32; c += CH) {
                    IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, q + c, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                    FloatVector wl = v.selectFrom(lo).reinterpretAsFloats();
                    FloatVector wh = v.lanewise(VectorOperators.LSHR, 4).selectFrom(hi).reinterpretAsFloats();
                    int l = l0 + c, h = h0 + c;
                    a0 = wh.fma(FloatVector.fromArray(QF, x, h), wl.fma(FloatVector.fromArray(QF, x, l), a0));
                    a1 = wh.fma(FloatVector.fromArray(QF, x, x1 + h), wl.fma(FloatVector.fromArray(QF, x, x1 + l), a1));
                    a2 = wh.fma(FloatVector.fromArray(QF, x, x2 + h), wl.fma(FloatVector.fromArray(QF, x, x2 + l), a2));
                    a3 = wh.fma(FloatVector.fromArray(QF, x, x3 + h), wl.fma(FloatVector.fromArray(QF, x, x3 + l), a3));
                }
            }
        }
        Kernels.storeRows(a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD), batch, out, o, os);
    }

    /** The Vector API path for other widths (a chunk of quants spans several float vectors). */
    private float blockDotParts(long o, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(QF);
        FloatVector mins = acc;
        float d = Float.float16ToFloat(data.get(SHORT_LE, o));
        // The 12 scale bytes as three words, decoded once per super-block (ggml's get_scale_min_k4).
        int w0 = data.get(INT_LE, o + 4), w1 = data.get(INT_LE, o + 8), w2 = data.get(INT_LE, o + 12);
        // scales of sub-blocks 0..7 as bytes of sc0 (0..3) and sc1 (4..7); mins likewise
        long sc = Kernels.scalesK4(w0, w2);
        long mn = Kernels.minsK4(w1, w2);
        for (int g = 0; g < 4; g++) {
            long q = o + 16 + 32 * g;
            int x1 = xo + 64 * g, x2 = x1 + 32;
            FloatVector s1 = FloatVector.zero(QF), s2 = s1, m1 = s1, m2 = s1;
            for (int c = 0; c < 32; c += CH) {
                ByteVector v = ByteVector.fromMemorySegment(BS, data, q + c, ByteOrder.LITTLE_ENDIAN);
                s1 = dotB(v.and((byte) 0x0F), x, x1 + c, s1);
                s2 = dotB(v.lanewise(VectorOperators.LSHR, 4), x, x2 + c, s2);
            }
            for (int i = 0; i < 32; i += QLANES) {
                // the loaded vector as receiver: its class is known, so C2 inlines the add
                m1 = FloatVector.fromArray(QF, x, x1 + i).add(m1);
                m2 = FloatVector.fromArray(QF, x, x2 + i).add(m2);
            }
            int sh = 16 * g;
            // JDK calls only past this point (they are force-inlined): C2 stops inlining our helpers past its
            // node budget, and a helper that is not inlined boxes its vectors.
            acc = s1.fma(FloatVector.broadcast(QF, d * (int) (sc >>> sh & 0xFF)), acc);
            acc = s2.fma(FloatVector.broadcast(QF, d * (int) (sc >>> (sh + 8) & 0xFF)), acc);
            mins = m1.fma(FloatVector.broadcast(QF, (float) (int) (mn >>> sh & 0xFF)), mins);
            mins = m2.fma(FloatVector.broadcast(QF, (float) (int) (mn >>> (sh + 8) & 0xFF)), mins);
        }
        acc = mins.fma(FloatVector.broadcast(QF, -Float.float16ToFloat(data.get(SHORT_LE, o + 2))), acc);
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * ggml's quantize_row_q4_K_ref: per 32 values an asymmetric 4-bit fit (make_qkx2_quants, weights
     * rms + |x|, 21 candidate scales), the 8 scales and mins quantized to 6 bits against the largest, then the
     * levels recomputed with the stored scales and mins.
     */
    public static void quantizeRow(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        byte[] L = new byte[BLOCK];
        byte[] laux = new byte[32];
        float[] weights = new float[32];
        float[] mins = new float[8];
        float[] scales = new float[8];
        byte[] sc = new byte[12];
        for (int b = 0; b < n / BLOCK; b++) {
            int x = srcOff + b * BLOCK, o = dstOff + b * BYTES;
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 8; j++) {
                float sumX2 = 0;
                for (int l = 0; l < 32; l++) sumX2 += src[x + 32 * j + l] * src[x + 32 * j + l];
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) weights[l] = avX + Math.abs(src[x + 32 * j + l]);
                scales[j] = QuantMath.makeQkx2Quants(32, 15, src, x + 32 * j, weights, L, 32 * j, mins, j, laux, -1f, 0.1f, 20);
                maxScale = Math.max(maxScale, scales[j]);
                maxMin = Math.max(maxMin, mins[j]);
            }
            float invScale = maxScale > 0 ? 63f / maxScale : 0f;
            float invMin = maxMin > 0 ? 63f / maxMin : 0f;
            java.util.Arrays.fill(sc, (byte) 0);
            for (int j = 0; j < 8; j++) {
                int ls = Math.min(63, QuantMath.nearestInt(invScale * scales[j]));
                int lm = Math.min(63, QuantMath.nearestInt(invMin * mins[j]));
                if (j < 4) {
                    sc[j] = (byte) ls;
                    sc[j + 4] = (byte) lm;
                } else {
                    sc[j + 4] = (byte) ((ls & 0xF) | (lm & 0xF) << 4);
                    sc[j - 4] |= (byte) ((ls >> 4) << 6);
                    sc[j] |= (byte) ((lm >> 4) << 6);
                }
            }
            QuantMath.putF16(dst, o, maxScale / 63);
            QuantMath.putF16(dst, o + 2, maxMin / 63);
            System.arraycopy(sc, 0, dst, o + 4, 12);
            float d = QuantMath.f16(dst, o), dmin = QuantMath.f16(dst, o + 2);
            for (int j = 0; j < 8; j++) {
                int s = j < 4 ? sc[j] & 63 : (sc[j + 4] & 0xF) | ((sc[j - 4] & 0xFF) >>> 6) << 4;
                int m = j < 4 ? sc[j + 4] & 63 : ((sc[j + 4] & 0xFF) >>> 4) | ((sc[j] & 0xFF) >>> 6) << 4;
                float ds = d * s;
                if (ds == 0) continue;
                float dm = dmin * m;
                for (int i = 0; i < 32; i++) {
                    int l = QuantMath.nearestInt((src[x + 32 * j + i] + dm) / ds);
                    L[32 * j + i] = (byte) Math.max(0, Math.min(15, l));
                }
            }
            for (int g = 0; g < 4; g++) {
                for (int l = 0; l < 32; l++) {
                    dst[o + 16 + 32 * g + l] = (byte) (L[64 * g + l] | L[64 * g + 32 + l] << 4);
                }
            }
        }
    }
}
