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

    @Override
    boolean hasFusedRows() {
        return NIBBLE_LOOKUP && Kernels.WIDE_REGISTERS;
    }

    /*
     * The small-batch kernels (2 to 8 sequences decoding together) at 512 bits. Each weight row's block is decoded as
     * in dotLookup, its two vectors scaled by d, and multiplied into each activation row: per block and row
     * acc = hi * z + (lo * y + acc), the same sums in every kernel below, so that a row's result does not depend on
     * which kernel or thread took it. Before these, batches of Q5_0 went through the tiled prompt path, which
     * dequantizes every weight row to floats first.
     */

    /** One weight row against up to 4 activation rows of {@code x} (rows past the batch repeat its last). */
    @Override
    void fusedRows(long row, float[] x, int batch, float[] out, int o, int os) {
        int nb = cols / BLOCK;
        long off = row * rowStride;
        int x1 = Math.min(1, batch - 1) * cols, x2 = Math.min(2, batch - 1) * cols, x3 = Math.min(3, batch - 1) * cols;
        FloatVector a0 = FloatVector.zero(QF), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++, off += BYTES) {
            int l = b * BLOCK, h = l + 16;
            float d = Float.float16ToFloat(data.get(SHORT_LE, off));
            IntVector qh = IntVector.broadcast(QI, data.get(INT_LE, off + 2));
            IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 6, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector la = v.lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_LO), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            FloatVector ha = v.lanewise(VectorOperators.LSHR, 4)
                    .lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_HI), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            FloatVector y = FloatVector.fromArray(QF, x, l), z = FloatVector.fromArray(QF, x, h);
            a0 = ha.fma(z, la.fma(y, a0));
            y = FloatVector.fromArray(QF, x, x1 + l);
            z = FloatVector.fromArray(QF, x, x1 + h);
            a1 = ha.fma(z, la.fma(y, a1));
            y = FloatVector.fromArray(QF, x, x2 + l);
            z = FloatVector.fromArray(QF, x, x2 + h);
            a2 = ha.fma(z, la.fma(y, a2));
            y = FloatVector.fromArray(QF, x, x3 + l);
            z = FloatVector.fromArray(QF, x, x3 + h);
            a3 = ha.fma(z, la.fma(y, a3));
        }
        Kernels.storeRows(a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD), batch, out, o, os);
    }

    @Override
    boolean hasRowsOf2() {
        return NIBBLE_LOOKUP && Kernels.WIDE_REGISTERS;
    }

    /** {@link #fusedRows} for exactly 2 activation rows. */
    @Override
    void rowOf2(long row, float[] x, float[] out, int o, int os) {
        int nb = cols / BLOCK, x1 = cols;
        long off = row * rowStride;
        FloatVector a0 = FloatVector.zero(QF), a1 = a0;
        for (int b = 0; b < nb; b++, off += BYTES) {
            int l = b * BLOCK, h = l + 16;
            float d = Float.float16ToFloat(data.get(SHORT_LE, off));
            IntVector qh = IntVector.broadcast(QI, data.get(INT_LE, off + 2));
            IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 6, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector la = v.lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_LO), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            FloatVector ha = v.lanewise(VectorOperators.LSHR, 4)
                    .lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_HI), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            FloatVector y = FloatVector.fromArray(QF, x, l), z = FloatVector.fromArray(QF, x, h);
            a0 = ha.fma(z, la.fma(y, a0));
            y = FloatVector.fromArray(QF, x, x1 + l);
            z = FloatVector.fromArray(QF, x, x1 + h);
            a1 = ha.fma(z, la.fma(y, a1));
        }
        out[o] = a0.reduceLanes(VectorOperators.ADD);
        out[o + os] = a1.reduceLanes(VectorOperators.ADD);
    }

    @Override
    boolean hasFusedRowQuads() {
        return NIBBLE_LOOKUP && Kernels.WIDE_REGISTERS;
    }

    /** Four weight rows by up to four activation rows of {@code xi} (see {@link Tensor#fusedRowQuad}). */
    @Override
    void fusedRowQuad(long row, long step, float[] xi, int batch, float[] out, int o, int os) {
        quad(data, row * rowStride, step * rowStride, cols / BLOCK, xi, batch, out, o, (int) step, os);
    }

    /** {@link #fusedRowQuad}'s loop: static, the activation offset as the loop variable (see Q4_0Tensor). */
    private static void quad(MemorySegment data, long base, long rb, int nb, float[] x, int batch, float[] out,
            int o, int s1, int os) {
        int x1 = BLOCK, x2 = 2 * BLOCK, x3 = 3 * BLOCK; // interleaved: the 4 rows of a block side by side
        FloatVector a0 = FloatVector.zero(QF), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0;
        long off = base;
        for (int l = 0, end = nb * FUSED_MAX * BLOCK; l < end; l += FUSED_MAX * BLOCK, off += BYTES) {
            int h = l + 16;
            float d = Float.float16ToFloat(data.get(SHORT_LE, off));
            IntVector qh = IntVector.broadcast(QI, data.get(INT_LE, off + 2));
            IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 6, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector la = v.lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_LO), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            FloatVector ha = v.lanewise(VectorOperators.LSHR, 4)
                    .lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_HI), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            d = Float.float16ToFloat(data.get(SHORT_LE, off + rb));
            qh = IntVector.broadcast(QI, data.get(INT_LE, off + rb + 2));
            v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + rb + 6, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector lb = v.lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_LO), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            FloatVector hb = v.lanewise(VectorOperators.LSHR, 4)
                    .lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_HI), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            d = Float.float16ToFloat(data.get(SHORT_LE, off + 2 * rb));
            qh = IntVector.broadcast(QI, data.get(INT_LE, off + 2 * rb + 2));
            v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 2 * rb + 6, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector lc = v.lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_LO), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            FloatVector hc = v.lanewise(VectorOperators.LSHR, 4)
                    .lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_HI), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            d = Float.float16ToFloat(data.get(SHORT_LE, off + 3 * rb));
            qh = IntVector.broadcast(QI, data.get(INT_LE, off + 3 * rb + 2));
            v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 3 * rb + 6, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector le = v.lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_LO), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            FloatVector he = v.lanewise(VectorOperators.LSHR, 4)
                    .lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_HI), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            FloatVector y = FloatVector.fromArray(QF, x, l), z = FloatVector.fromArray(QF, x, h);
            a0 = ha.fma(z, la.fma(y, a0));
            b0 = hb.fma(z, lb.fma(y, b0));
            c0 = hc.fma(z, lc.fma(y, c0));
            e0 = he.fma(z, le.fma(y, e0));
            y = FloatVector.fromArray(QF, x, x1 + l);
            z = FloatVector.fromArray(QF, x, x1 + h);
            a1 = ha.fma(z, la.fma(y, a1));
            b1 = hb.fma(z, lb.fma(y, b1));
            c1 = hc.fma(z, lc.fma(y, c1));
            e1 = he.fma(z, le.fma(y, e1));
            y = FloatVector.fromArray(QF, x, x2 + l);
            z = FloatVector.fromArray(QF, x, x2 + h);
            a2 = ha.fma(z, la.fma(y, a2));
            b2 = hb.fma(z, lb.fma(y, b2));
            c2 = hc.fma(z, lc.fma(y, c2));
            e2 = he.fma(z, le.fma(y, e2));
            y = FloatVector.fromArray(QF, x, x3 + l);
            z = FloatVector.fromArray(QF, x, x3 + h);
            a3 = ha.fma(z, la.fma(y, a3));
            b3 = hb.fma(z, lb.fma(y, b3));
            c3 = hc.fma(z, lc.fma(y, c3));
            e3 = he.fma(z, le.fma(y, e3));
        }
        Kernels.storeRows(a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD), batch, out, o, os);
        Kernels.storeRows(b0.reduceLanes(VectorOperators.ADD), b1.reduceLanes(VectorOperators.ADD),
                b2.reduceLanes(VectorOperators.ADD), b3.reduceLanes(VectorOperators.ADD), batch, out, o + s1, os);
        Kernels.storeRows(c0.reduceLanes(VectorOperators.ADD), c1.reduceLanes(VectorOperators.ADD),
                c2.reduceLanes(VectorOperators.ADD), c3.reduceLanes(VectorOperators.ADD), batch, out, o + 2 * s1, os);
        Kernels.storeRows(e0.reduceLanes(VectorOperators.ADD), e1.reduceLanes(VectorOperators.ADD),
                e2.reduceLanes(VectorOperators.ADD), e3.reduceLanes(VectorOperators.ADD), batch, out, o + 3 * s1, os);
    }

    @Override
    boolean hasFusedRowPairs8() {
        return NIBBLE_LOOKUP && Kernels.WIDE_REGISTERS;
    }

    /**
     * Two weight rows by 5 to 8 activation rows of {@code xi} (8 rows per block, see {@link Tensor#fusedRowPair8}):
     * the quads twice would decode each block twice, which made 8 rows slower than the tiled path.
     */
    @Override
    void fusedRowPair8(long row, long step, float[] xi, int batch, float[] out, int o, int os) {
        pair8(data, row * rowStride, step * rowStride, cols / BLOCK, xi, batch, out, o, o + (int) step, os);
    }

    /** {@link #fusedRowPair8}'s loop, shaped as Q4_0Tensor's: rows decoded first, static, offset as loop variable. */
    private static void pair8(MemorySegment data, long base, long next, int nb, float[] x, int batch, float[] out,
            int o, int o2, int os) {
        FloatVector a0 = FloatVector.zero(QF), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        long off = base;
        for (int l = 0, end = nb * 8 * BLOCK; l < end; l += 8 * BLOCK, off += BYTES) {
            float d = Float.float16ToFloat(data.get(SHORT_LE, off));
            IntVector qh = IntVector.broadcast(QI, data.get(INT_LE, off + 2));
            IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 6, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector la = v.lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_LO), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            FloatVector ha = v.lanewise(VectorOperators.LSHR, 4)
                    .lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_HI), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            d = Float.float16ToFloat(data.get(SHORT_LE, off + next));
            qh = IntVector.broadcast(QI, data.get(INT_LE, off + next + 2));
            v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + next + 6, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector lb = v.lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_LO), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            FloatVector hb = v.lanewise(VectorOperators.LSHR, 4)
                    .lanewise(VectorOperators.BITWISE_BLEND, qh.lanewise(VectorOperators.ROL, FIFTH_HI), BIT4)
                    .selectFrom(CLEAR, SET).reinterpretAsFloats().mul(d);
            FloatVector y;
            y = FloatVector.fromArray(QF, x, l);
            a0 = la.fma(y, a0);
            b0 = lb.fma(y, b0);
            y = FloatVector.fromArray(QF, x, l + 32);
            a1 = la.fma(y, a1);
            b1 = lb.fma(y, b1);
            y = FloatVector.fromArray(QF, x, l + 64);
            a2 = la.fma(y, a2);
            b2 = lb.fma(y, b2);
            y = FloatVector.fromArray(QF, x, l + 96);
            a3 = la.fma(y, a3);
            b3 = lb.fma(y, b3);
            y = FloatVector.fromArray(QF, x, l + 128);
            a4 = la.fma(y, a4);
            b4 = lb.fma(y, b4);
            y = FloatVector.fromArray(QF, x, l + 160);
            a5 = la.fma(y, a5);
            b5 = lb.fma(y, b5);
            y = FloatVector.fromArray(QF, x, l + 192);
            a6 = la.fma(y, a6);
            b6 = lb.fma(y, b6);
            y = FloatVector.fromArray(QF, x, l + 224);
            a7 = la.fma(y, a7);
            b7 = lb.fma(y, b7);
            y = FloatVector.fromArray(QF, x, l + 16);
            a0 = ha.fma(y, a0);
            b0 = hb.fma(y, b0);
            y = FloatVector.fromArray(QF, x, l + 48);
            a1 = ha.fma(y, a1);
            b1 = hb.fma(y, b1);
            y = FloatVector.fromArray(QF, x, l + 80);
            a2 = ha.fma(y, a2);
            b2 = hb.fma(y, b2);
            y = FloatVector.fromArray(QF, x, l + 112);
            a3 = ha.fma(y, a3);
            b3 = hb.fma(y, b3);
            y = FloatVector.fromArray(QF, x, l + 144);
            a4 = ha.fma(y, a4);
            b4 = hb.fma(y, b4);
            y = FloatVector.fromArray(QF, x, l + 176);
            a5 = ha.fma(y, a5);
            b5 = hb.fma(y, b5);
            y = FloatVector.fromArray(QF, x, l + 208);
            a6 = ha.fma(y, a6);
            b6 = hb.fma(y, b6);
            y = FloatVector.fromArray(QF, x, l + 240);
            a7 = ha.fma(y, a7);
            b7 = hb.fma(y, b7);
        }
        Kernels.storeRows8(a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD), a4.reduceLanes(VectorOperators.ADD),
                a5.reduceLanes(VectorOperators.ADD), a6.reduceLanes(VectorOperators.ADD), a7.reduceLanes(VectorOperators.ADD),
                batch, out, o, os);
        Kernels.storeRows8(b0.reduceLanes(VectorOperators.ADD), b1.reduceLanes(VectorOperators.ADD),
                b2.reduceLanes(VectorOperators.ADD), b3.reduceLanes(VectorOperators.ADD), b4.reduceLanes(VectorOperators.ADD),
                b5.reduceLanes(VectorOperators.ADD), b6.reduceLanes(VectorOperators.ADD), b7.reduceLanes(VectorOperators.ADD),
                batch, out, o2, os);
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
