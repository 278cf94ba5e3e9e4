package io.minnow.tensor;

import static io.minnow.tensor.Kernels.BS;
import static io.minnow.tensor.Kernels.CH;
import static io.minnow.tensor.Kernels.INT_LE;
import static io.minnow.tensor.Kernels.NIBBLE_LOOKUP;
import static io.minnow.tensor.Kernels.ONE_PART;
import static io.minnow.tensor.Kernels.QF;
import static io.minnow.tensor.Kernels.QI;
import static io.minnow.tensor.Kernels.QLANES;
import static io.minnow.tensor.Kernels.SHORT_LE;
import static io.minnow.tensor.Kernels.bcast;
import static io.minnow.tensor.Kernels.dotB;
import static io.minnow.tensor.Kernels.f16;
import static io.minnow.tensor.Kernels.i32;
import static io.minnow.tensor.Kernels.loadB;
import static io.minnow.tensor.Kernels.storeScaled;
import static io.minnow.tensor.Kernels.u8;
import static io.minnow.tensor.Kernels.zero;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q5_0: blocks of 32 elements in 22 bytes.
 * <pre>
 * offset 0   f16  d
 * offset 2   u32  qh         (little-endian) fifth bit of element i is bit i
 * offset 6   u8   qs[16]     element j      = d * (((qs[j] &amp; 0xF) | bit j      &lt;&lt; 4) - 16)
 *                            element j + 16 = d * (((qs[j] &gt;&gt; 4)  | bit j + 16 &lt;&lt; 4) - 16)   (j = 0..15)
 * </pre>
 */
public final class Q5_0Tensor extends Tensor {
    static final int BLOCK = 32;
    static final int BYTES = 22;

    /** {@link #rowBytes()}, read from a field so that C2 cannot fold it into {@link #dotLookup}'s offsets. */
    private final long rowStride;

    public Q5_0Tensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
        rowStride = rowBytes();
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q5_0;
    }

    @Override
    public void dequantizeRow(long row, float[] out, int off) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            float d = f16(data, o);
            int qh = i32(data, o + 2);
            int y = off + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = u8(data, o + 6 + j);
                out[y + j] = d * (((q & 0xF) | ((qh >>> j) & 1) << 4) - 16);
                out[y + j + 16] = d * (((q >>> 4) | ((qh >>> (j + 16)) & 1) << 4) - 16);
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
            int qh = i32(data, o + 2);
            int y = off + b * BLOCK;
            for (int c = 0; c < 16; c += CH) {
                ByteVector q = ByteVector.fromMemorySegment(BS, data, o + 6 + c, LITTLE_ENDIAN);
                VectorMask<Byte> clo = VectorMask.fromLong(BS, ~qh >>> c);
                VectorMask<Byte> chi = VectorMask.fromLong(BS, ~qh >>> (16 + c));
                ByteVector lo = q.and((byte) 0x0F).lanewise(VectorOperators.SUB, (byte) 16, clo);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.SUB, (byte) 16, chi);
                if (ONE_PART) {
                    // JDK calls only: C2 may box vectors passed to a helper (see Q4_0Tensor.dequantizeRowVector)
                    ((FloatVector) lo.convertShape(VectorOperators.B2F, QF, 0)).mul(d).intoArray(out, y + c);
                    ((FloatVector) hi.convertShape(VectorOperators.B2F, QF, 0)).mul(d).intoArray(out, y + 16 + c);
                } else {
                    storeScaled(lo, d, out, y + c);
                    storeScaled(hi, d, out, y + 16 + c);
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
            int xo = xOff + b * BLOCK;
            int qh = i32(data, o + 2);
            float s = 0f;
            for (int j = 0; j < 16; j++) {
                int q = u8(data, o + 6 + j);
                s += (((q & 0xF) | ((qh >>> j) & 1) << 4) - 16) * x[xo + j]
                        + (((q >>> 4) | ((qh >>> (j + 16)) & 1) << 4) - 16) * x[xo + j + 16];
            }
            sum += f16(data, o) * s;
        }
        return sum;
    }

    /**
     * The Vector API path: {@link #dotLookup} at 512 bits, otherwise 256 bits whenever the CPU has them (8 bytes of
     * quants widen to one float vector). It calls the JDK only: C2 force-inlines those calls, while our own small
     * helpers can fall outside its inlining budget in a big compilation unit, and a helper left out of line boxes its
     * vectors on every call.
     */
    @Override
    public float dotVector(long row, float[] x, int xOff) {
        if (NIBBLE_LOOKUP) {
            return dotLookup(data, row * rowStride, cols / BLOCK, x, xOff);
        }
        if (!AT_256) {
            return dotParts(row, x, xOff);
        }
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        FloatVector acc = FloatVector.zero(F8);
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            int xo = xOff + b * BLOCK;
            int qh = data.get(INT_LE, o + 2);
            FloatVector s = FloatVector.zero(F8);
            for (int c = 0; c < 16; c += 8) {
                // in int lanes (see Q4_0Tensor): (q | bit << 4) - 16 is q where the fifth bit is set, q - 16 where
                // it is clear
                IntVector v = (IntVector) ByteVector.fromMemorySegment(B8, data, o + 6 + c, LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I8, 0);
                VectorMask<Integer> clo = VectorMask.fromLong(I8, ~qh >>> c);
                VectorMask<Integer> chi = VectorMask.fromLong(I8, ~qh >>> (16 + c));
                s = ((FloatVector) v.and(0xF).lanewise(VectorOperators.SUB, 16, clo).convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(F8, x, xo + c), s);
                s = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).and(0xF).lanewise(VectorOperators.SUB, 16, chi)
                        .convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F8, x, xo + 16 + c), s);
            }
            acc = s.fma(FloatVector.broadcast(F8, Float.float16ToFloat(data.get(SHORT_LE, o))), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** {@link Tensor#dotRows}, compiled against this class's own {@link #dotVector}. */
    @Override
    void dotRows(float[] x, float[] xd, float[] out, int outOffset, int start, int end) {
        for (int r = start; r < end; r++) {
            out[outOffset + r] = dotVector(r, x, 0);
        }
    }

    /** Float bits of {@code i - 16} in lane i: weights whose fifth bit is clear ({@link #dotLookup}). */
    private static final IntVector CLEAR = NIBBLE_LOOKUP ? Kernels.nibbleTable(-16).reinterpretAsInts() : null;
    /** Float bits of {@code i} in lane i: weights whose fifth bit is set. */
    private static final IntVector SET = NIBBLE_LOOKUP ? Kernels.nibbleTable(0).reinterpretAsInts() : null;

    /**
     * Per lane j, the left rotation that brings bit j ({@link #FIFTH_LO}) or bit 16 + j ({@link #FIFTH_HI}) of a
     * block's {@code qh} to bit 4, where it selects the table's upper half ({@link #dotLookup}).
     */
    private static final IntVector FIFTH_LO = NIBBLE_LOOKUP ? rotations(4) : null;
    /** 16 in every lane: the fifth bit's place in a table index. */
    private static final IntVector BIT4 = NIBBLE_LOOKUP ? IntVector.broadcast(QI, 16) : null;
    private static final IntVector FIFTH_HI = NIBBLE_LOOKUP ? rotations(-12) : null;

    private static IntVector rotations(int first) {
        int[] r = new int[QLANES];
        for (int j = 0; j < QLANES; j++) {
            r[j] = (first - j) & 31;
        }
        return IntVector.fromArray(QI, r, 0);
    }

    /**
     * The 512-bit decode kernel: a block's 16 quant bytes widen to one vector of int lanes, and each half's 5-bit
     * values (nibble, plus 16 where {@code qh} has the fifth bit) index a 32-entry table of {@code q - 16} held in
     * two registers (one two-vector permute). The fifth bits come from {@code qh} broadcast to every lane and
     * rotated per lane: a mask register built from {@code qh} instead (two moves into mask registers per block) cost
     * 2.2 against 1.75-1.94 ns per block in cache on the AMD EPYC (Zen 5) this was measured on. Static, with the
     * row's byte offset passed in (a multiply by a field, which C2 cannot fold into the loop's offsets): C2 then
     * hoists every bounds check out of its main block loop.
     * Computed inside from the row number, the same loop kept three checks per block. Same sums as the 256-bit
     * kernel up to rounding: per block {@code (lo · x + hi · x') · d}. qwen2.5-0.5b Q4_K_M decode, 3 alternating
     * rounds: 19.9-20.2 against 18.0-19.4 t/s (docs/performance.md). Each half's index is one bit blend (the low
     * half's nibble needs no mask of its own: selectFrom keeps bits 0-4 of an index, which drops the high nibble):
     * 1.99 against 2.08 ns per block in L1, 1.21 against 1.25-1.27 on 2 threads from memory; all of a model's
     * Q5_0 matrices on 2 threads, alternating in one JVM, about 1% (3.93 against 3.97 ms on smollm2-135m).
     */
    private static float dotLookup(MemorySegment data, long base, int nb, float[] x, int xOff) {
        FloatVector acc = FloatVector.zero(QF);
        for (int b = 0; b < nb; b++) {
            long o = base + b * (long) BYTES;
            int xo = xOff + b * BLOCK;
            IntVector qh = IntVector.broadcast(QI, data.get(INT_LE, o + 2));
            IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, o + 6, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            // bit 4 from the rotated qh, the rest from the quants: the permute reads bits 0-4 only
            FloatVector lo = v.lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_LO), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats();
            FloatVector hi = v.lanewise(VectorOperators.LSHR, 4)
                    .lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_HI), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats();
            FloatVector s = hi.fma(FloatVector.fromArray(QF, x, xo + 16), lo.mul(FloatVector.fromArray(QF, x, xo)));
            acc = s.fma(FloatVector.broadcast(QF, Float.float16ToFloat(data.get(SHORT_LE, o))), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Whether {@link #dotVector} runs at 256 bits when it does not take {@link #dotLookup} (widths of 256 bits and
     * more): at 512 bits, earlier kernels of this shape streamed weights from memory at two thirds of the 256-bit
     * speed (docs/performance.md).
     */
    private static final boolean AT_256 = QLANES >= 8;
    private static final VectorSpecies<Float> F8 = AT_256 ? FloatVector.SPECIES_256 : QF;
    private static final VectorSpecies<Integer> I8 = F8.withLanes(int.class);
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;

    /** The Vector API path for other widths (a chunk of quants spans several float vectors). */
    private float dotParts(long row, float[] x, int xOff) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        FloatVector acc = zero();
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            int xo = xOff + b * BLOCK;
            int qh = i32(data, o + 2);
            FloatVector s = zero();
            for (int c = 0; c < 16; c += CH) {
                ByteVector q = loadB(data, o + 6 + c);
                // (q | bit << 4) - 16 is q where the fifth bit is set, q - 16 where it is clear.
                VectorMask<Byte> clo = VectorMask.fromLong(BS, ~qh >>> c);
                VectorMask<Byte> chi = VectorMask.fromLong(BS, ~qh >>> (16 + c));
                s = dotB(q.and((byte) 0x0F).lanewise(VectorOperators.SUB, (byte) 16, clo), x, xo + c, s);
                s = dotB(q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.SUB, (byte) 16, chi), x,
                        xo + 16 + c, s);
            }
            acc = s.fma(bcast(f16(data, o)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** ggml's quantize_row_q5_0_ref: d = (the value of largest magnitude) / -16, q = min(31, (int) (x / d + 16.5)). */
    public static void quantizeRow(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int x = srcOff + b * BLOCK, o = dstOff + b * BYTES;
            float amax = 0, max = 0;
            for (int j = 0; j < BLOCK; j++) {
                float v = src[x + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -16;
            float id = d != 0 ? 1 / d : 0;
            QuantMath.putF16(dst, o, d);
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(31, (byte) (int) (src[x + j] * id + 16.5f));
                int q1 = Math.min(31, (byte) (int) (src[x + 16 + j] * id + 16.5f));
                dst[o + 6 + j] = (byte) ((q0 & 0xF) | (q1 & 0xF) << 4);
                qh |= (q0 >>> 4 & 1) << j | (q1 >>> 4 & 1) << (j + 16);
            }
            QuantMath.putI32(dst, o + 2, qh);
        }
    }
}
