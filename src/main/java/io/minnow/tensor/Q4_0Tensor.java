package io.minnow.tensor;

import static io.minnow.tensor.Kernels.BS;
import static io.minnow.tensor.Kernels.CH;
import static io.minnow.tensor.Kernels.NIBBLE_LOOKUP;
import static io.minnow.tensor.Kernels.ONE_PART;
import static io.minnow.tensor.Kernels.QF;
import static io.minnow.tensor.Kernels.QI;
import static io.minnow.tensor.Kernels.SHORT_LE;
import static io.minnow.tensor.Kernels.bcast;
import static io.minnow.tensor.Kernels.dotB;
import static io.minnow.tensor.Kernels.f16;
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
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0: blocks of 32 elements in 18 bytes.
 * <pre>
 * offset 0   f16  d
 * offset 2   u8   qs[16]     element j      = d * ((qs[j] &amp; 0xF) - 8)
 *                            element j + 16 = d * ((qs[j] &gt;&gt; 4) - 8)      (j = 0..15)
 * </pre>
 */
public final class Q4_0Tensor extends Tensor {
    static final int BLOCK = 32;
    static final int BYTES = 18;

    /** The float bits of {@code i - 8} in lane i: the value of nibble i ({@link Kernels#NIBBLE_LOOKUP}). */
    private static final IntVector CENTRED = Kernels.nibbleTable(-8).reinterpretAsInts();

    public Q4_0Tensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_0;
    }

    @Override
    public void dequantizeRow(long row, float[] out, int off) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            float d = f16(data, o);
            int y = off + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = u8(data, o + 2 + j);
                out[y + j] = d * ((q & 0xF) - 8);
                out[y + j + 16] = d * ((q >>> 4) - 8);
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
            int y = off + b * BLOCK;
            for (int c = 0; c < 16; c += CH) {
                if (ONE_PART) {
                    // JDK calls only: through the shared helpers C2 boxed these vectors in the server (JFR: 15 GB
                    // in one bench-serve run)
                    ByteVector q = ByteVector.fromMemorySegment(BS, data, o + 2 + c, LITTLE_ENDIAN);
                    ((FloatVector) q.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2F, QF, 0)).mul(d)
                            .intoArray(out, y + c);
                    ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(VectorOperators.B2F, QF, 0))
                            .mul(d).intoArray(out, y + 16 + c);
                } else {
                    ByteVector q = loadB(data, o + 2 + c);
                    storeScaled(q.and((byte) 0x0F).sub((byte) 8), d, out, y + c);
                    storeScaled(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8), d, out, y + 16 + c);
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
            float s = 0f;
            for (int j = 0; j < 16; j++) {
                int q = u8(data, o + 2 + j);
                s += ((q & 0xF) - 8) * x[xo + j] + ((q >>> 4) - 8) * x[xo + j + 16];
            }
            sum += f16(data, o) * s;
        }
        return sum;
    }

    /**
     * The Vector API path where one chunk of quants fills one float vector ({@link Kernels#ONE_PART}: 256 and 512
     * bits). It calls the JDK only: C2 force-inlines those calls, while our own small helpers can fall outside its
     * inlining budget in a big compilation unit, and a helper left out of line boxes its vectors on every call.
     */
    @Override
    public float dotVector(long row, float[] x, int xOff) {
        if (!ONE_PART) {
            return dotParts(row, x, xOff);
        }
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        FloatVector acc = FloatVector.zero(QF);
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            int xo = xOff + b * BLOCK;
            FloatVector s = FloatVector.zero(QF);
            for (int c = 0; c < 16; c += CH) {
                // nibbles split in int lanes: x86 has no byte shift, and int lanes then one int-to-float conversion
                // cost less than byte-lane ops and a byte-to-float cast; at 16 lanes one table lookup does the rest
                IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, o + 2 + c, LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                IntVector h = v.lanewise(VectorOperators.LSHR, 4);
                FloatVector lo, hi;
                if (NIBBLE_LOOKUP) {
                    lo = v.selectFrom(CENTRED).reinterpretAsFloats();
                    hi = h.selectFrom(CENTRED).reinterpretAsFloats();
                } else {
                    lo = (FloatVector) v.and(0xF).sub(8).convert(VectorOperators.I2F, 0);
                    hi = (FloatVector) h.sub(8).convert(VectorOperators.I2F, 0);
                }
                s = lo.fma(FloatVector.fromArray(QF, x, xo + c), s);
                s = hi.fma(FloatVector.fromArray(QF, x, xo + 16 + c), s);
            }
            acc = s.fma(FloatVector.broadcast(QF, Float.float16ToFloat(data.get(SHORT_LE, o))), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    boolean hasRowsOf2() {
        return ONE_PART;
    }

    /**
     * Two activation rows as {@link #dotVector} does one: each chunk's nibbles decoded once, each row's block sum
     * scaled by d. Same-JVM alternating passes over qwen2.5-0.5b's Q4_0 matrices, 2 threads: 1 activation row
     * 11-12 ms; 2 rows 15.7-16.8 ms, against 20-21 ms for the paired kernel (two weight rows per call) that it
     * replaces (docs/performance.md).
     */
    @Override
    void rowOf2(long row, float[] x, float[] out, int o, int os) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        int x1 = cols;
        FloatVector a0 = FloatVector.zero(QF), a1 = a0;
        for (int b = 0; b < nb; b++) {
            long off = base + (long) b * BYTES;
            int xo = b * BLOCK;
            FloatVector s0 = FloatVector.zero(QF), s1 = s0;
            for (int c = 0; c < 16; c += CH) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 2 + c, LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                IntVector h = v.lanewise(VectorOperators.LSHR, 4);
                FloatVector lo, hi;
                if (NIBBLE_LOOKUP) {
                    lo = v.selectFrom(CENTRED).reinterpretAsFloats();
                    hi = h.selectFrom(CENTRED).reinterpretAsFloats();
                } else {
                    lo = (FloatVector) v.and(0xF).sub(8).convert(VectorOperators.I2F, 0);
                    hi = (FloatVector) h.sub(8).convert(VectorOperators.I2F, 0);
                }
                s0 = lo.fma(FloatVector.fromArray(QF, x, xo + c), s0);
                s0 = hi.fma(FloatVector.fromArray(QF, x, xo + 16 + c), s0);
                s1 = lo.fma(FloatVector.fromArray(QF, x, x1 + xo + c), s1);
                s1 = hi.fma(FloatVector.fromArray(QF, x, x1 + xo + 16 + c), s1);
            }
            FloatVector d = FloatVector.broadcast(QF, Float.float16ToFloat(data.get(SHORT_LE, off)));
            a0 = s0.fma(d, a0);
            a1 = s1.fma(d, a1);
        }
        out[o] = a0.reduceLanes(VectorOperators.ADD);
        out[o + os] = a1.reduceLanes(VectorOperators.ADD);
    }

    /** {@link Tensor#dotRows}, compiled against this class's own {@link #dotVector}. */
    @Override
    void dotRows(float[] x, float[] xd, float[] out, int outOffset, int start, int end) {
        for (int r = start; r < end; r++) {
            out[outOffset + r] = dotVector(r, x, 0);
        }
    }

    /** The Vector API path for other widths (a chunk of quants spans several float vectors). */
    private float dotParts(long row, float[] x, int xOff) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        FloatVector acc = zero();
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            int xo = xOff + b * BLOCK;
            FloatVector s = zero();
            for (int c = 0; c < 16; c += CH) {
                ByteVector q = loadB(data, o + 2 + c);
                s = dotB(q.and((byte) 0x0F).sub((byte) 8), x, xo + c, s);
                s = dotB(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8), x, xo + 16 + c, s);
            }
            acc = s.fma(bcast(f16(data, o)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    boolean hasFusedRows() {
        return true;
    }

    /** {@link #CENTRED} as floats: scaled by a block's d, the 16 weights a nibble can stand for. */
    private static final FloatVector CENTRED_F = CENTRED.reinterpretAsFloats();

    /**
     * Each chunk of quants decoded once for all rows, already scaled by the block's d (at 16 lanes the lookup table
     * itself is scaled, one multiply per block), so each activation row costs one FMA per weight vector and nothing
     * per block. {@link #fusedRowPair} computes each row with the same operations in the same order, so a row's
     * result does not depend on how the rows were split between threads.
     */
    @Override
    void fusedRows(long row, float[] x, int batch, float[] out, int o, int os) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        // rows past the batch repeat its last row (no branch on the batch size: a size C2 has not seen would
        // deoptimize the kernel); their sums equal that row's and are stored over it
        int x1 = cols, x2 = Math.min(2, batch - 1) * cols, x3 = Math.min(3, batch - 1) * cols;
        FloatVector a0 = FloatVector.zero(QF), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++) {
            long off = base + (long) b * BYTES;
            int xo = b * BLOCK;
            FloatVector d = FloatVector.broadcast(QF, f16(data, off));
            IntVector table = NIBBLE_LOOKUP ? CENTRED_F.mul(d).reinterpretAsInts() : null;
            for (int c = 0; c < 16; c += CH) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 2 + c, LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                IntVector vh = v.lanewise(VectorOperators.LSHR, 4);
                FloatVector lo, hi;
                if (NIBBLE_LOOKUP) {
                    lo = v.selectFrom(table).reinterpretAsFloats();
                    hi = vh.selectFrom(table).reinterpretAsFloats();
                } else {
                    lo = ((FloatVector) v.and(0xF).sub(8).convert(VectorOperators.I2F, 0)).mul(d);
                    hi = ((FloatVector) vh.sub(8).convert(VectorOperators.I2F, 0)).mul(d);
                }
                int l = xo + c, h = l + 16;
                a0 = hi.fma(FloatVector.fromArray(QF, x, h),
                        lo.fma(FloatVector.fromArray(QF, x, l), a0));
                a1 = hi.fma(FloatVector.fromArray(QF, x, x1 + h),
                        lo.fma(FloatVector.fromArray(QF, x, x1 + l), a1));
                a2 = hi.fma(FloatVector.fromArray(QF, x, x2 + h),
                        lo.fma(FloatVector.fromArray(QF, x, x2 + l), a2));
                a3 = hi.fma(FloatVector.fromArray(QF, x, x3 + h),
                        lo.fma(FloatVector.fromArray(QF, x, x3 + l), a3));
            }
        }
        Kernels.storeRows(a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD), batch, out, o, os);
    }

    /**
     * {@link #fusedRows} for weight rows {@code row} and {@code row + step} together: each activation vector is
     * loaded once for both, which halves the loads per FMA (the fused kernels are bound by those loads, not by the
     * FMAs).
     */
    @Override
    boolean hasFusedRowPairs() {
        return true;
    }

    @Override
    void fusedRowPair(long row, long step, float[] x, int batch, float[] out, int o, int os) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES, next = step * nb * BYTES;
        int o2 = o + (int) step;
        int x1 = cols, x2 = Math.min(2, batch - 1) * cols, x3 = Math.min(3, batch - 1) * cols;
        FloatVector a0 = FloatVector.zero(QF), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int b = 0; b < nb; b++) {
            long off = base + (long) b * BYTES, off2 = off + next;
            int xo = b * BLOCK;
            FloatVector d = FloatVector.broadcast(QF, f16(data, off));
            FloatVector e = FloatVector.broadcast(QF, f16(data, off2));
            IntVector table = NIBBLE_LOOKUP ? CENTRED_F.mul(d).reinterpretAsInts() : null;
            IntVector table2 = NIBBLE_LOOKUP ? CENTRED_F.mul(e).reinterpretAsInts() : null;
            for (int c = 0; c < 16; c += CH) {
                IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 2 + c, LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                IntVector w = (IntVector) ByteVector.fromMemorySegment(BS, data, off2 + 2 + c, LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
                IntVector vh = v.lanewise(VectorOperators.LSHR, 4), wh = w.lanewise(VectorOperators.LSHR, 4);
                FloatVector lo, hi, lo2, hi2;
                if (NIBBLE_LOOKUP) {
                    lo = v.selectFrom(table).reinterpretAsFloats();
                    hi = vh.selectFrom(table).reinterpretAsFloats();
                    lo2 = w.selectFrom(table2).reinterpretAsFloats();
                    hi2 = wh.selectFrom(table2).reinterpretAsFloats();
                } else {
                    lo = ((FloatVector) v.and(0xF).sub(8).convert(VectorOperators.I2F, 0)).mul(d);
                    hi = ((FloatVector) vh.sub(8).convert(VectorOperators.I2F, 0)).mul(d);
                    lo2 = ((FloatVector) w.and(0xF).sub(8).convert(VectorOperators.I2F, 0)).mul(e);
                    hi2 = ((FloatVector) wh.sub(8).convert(VectorOperators.I2F, 0)).mul(e);
                }
                int l = xo + c, h = l + 16;
                FloatVector y = FloatVector.fromArray(QF, x, l);
                a0 = lo.fma(y, a0);
                b0 = lo2.fma(y, b0);
                y = FloatVector.fromArray(QF, x, x1 + l);
                a1 = lo.fma(y, a1);
                b1 = lo2.fma(y, b1);
                y = FloatVector.fromArray(QF, x, x2 + l);
                a2 = lo.fma(y, a2);
                b2 = lo2.fma(y, b2);
                y = FloatVector.fromArray(QF, x, x3 + l);
                a3 = lo.fma(y, a3);
                b3 = lo2.fma(y, b3);
                y = FloatVector.fromArray(QF, x, h);
                a0 = hi.fma(y, a0);
                b0 = hi2.fma(y, b0);
                y = FloatVector.fromArray(QF, x, x1 + h);
                a1 = hi.fma(y, a1);
                b1 = hi2.fma(y, b1);
                y = FloatVector.fromArray(QF, x, x2 + h);
                a2 = hi.fma(y, a2);
                b2 = hi2.fma(y, b2);
                y = FloatVector.fromArray(QF, x, x3 + h);
                a3 = hi.fma(y, a3);
                b3 = hi2.fma(y, b3);
            }
        }
        Kernels.storeRows(a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD), batch, out, o, os);
        Kernels.storeRows(b0.reduceLanes(VectorOperators.ADD), b1.reduceLanes(VectorOperators.ADD),
                b2.reduceLanes(VectorOperators.ADD), b3.reduceLanes(VectorOperators.ADD), batch, out, o2, os);
    }

    @Override
    boolean hasFusedRowQuads() {
        return NIBBLE_LOOKUP && Kernels.WIDE_REGISTERS;
    }

    /**
     * Four weight rows by up to four activation rows (16 accumulators): half the activation loads of two row pairs;
     * in cache 4.25-4.63 -> 3.51-3.81 ns per block at 4 rows. Each row's sum is built as {@link #fusedRows} builds it.
     */
    @Override
    void fusedRowQuad(long row, long step, float[] x, int batch, float[] out, int o, int os) {
        int nb = cols / BLOCK;
        quad(data, row * nb * BYTES, step * nb * BYTES, nb, x, batch, out, o, (int) step, os);
    }

    /**
     * {@link #fusedRowQuad}'s loop, static, with the activation offset as the loop variable (see {@link #pair8}).
     * qwen2.5-0.5b Q4_0, 4 sequences decoding ({@code SameJvmAB decode4}): 29.5 against 25.6 ms per step. The same
     * shape for Q8_0's quad changed nothing and is not applied.
     */
    private static void quad(MemorySegment data, long base, long rb, int nb, float[] x, int batch, float[] out,
            int o, int s1, int os) {
        int x1 = BLOCK, x2 = 2 * BLOCK, x3 = 3 * BLOCK; // interleaved: the 4 rows of a block side by side
        FloatVector a0 = FloatVector.zero(QF), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0;
        long off = base;
        for (int l = 0, end = nb * FUSED_MAX * BLOCK; l < end; l += FUSED_MAX * BLOCK, off += BYTES) {
            int h = l + 16;
            // each weight row decoded whole (its table and quants die at once), then each activation row's two
            // vectors loaded once for the four: 16 accumulators, 8 weight vectors and 2 activation vectors live
            IntVector t = CENTRED_F.mul(f16(data, off)).reinterpretAsInts();
            IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector la = v.selectFrom(t).reinterpretAsFloats();
            FloatVector ha = v.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats();
            t = CENTRED_F.mul(f16(data, off + rb)).reinterpretAsInts();
            v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + rb + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector lb = v.selectFrom(t).reinterpretAsFloats();
            FloatVector hb = v.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats();
            t = CENTRED_F.mul(f16(data, off + 2 * rb)).reinterpretAsInts();
            v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 2 * rb + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector lc = v.selectFrom(t).reinterpretAsFloats();
            FloatVector hc = v.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats();
            t = CENTRED_F.mul(f16(data, off + 3 * rb)).reinterpretAsInts();
            v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 3 * rb + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector le = v.selectFrom(t).reinterpretAsFloats();
            FloatVector he = v.lanewise(VectorOperators.LSHR, 4).selectFrom(t).reinterpretAsFloats();
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
     * {@link #fusedRowPair} for 5 to 8 activation rows: each row's sum is built in the order {@link #fusedRows} builds
     * it for rows 0-3 and, on {@code x} shifted by four rows, for rows 4-7; a row's sums do not depend on its partner
     * (a row paired with itself, {@code step} 0, gets the same ones).
     */
    @Override
    void fusedRowPair8(long row, long step, float[] x, int batch, float[] out, int o, int os) {
        int nb = cols / BLOCK;
        pair8(data, row * nb * BYTES, step * nb * BYTES, nb, x, batch, out, o, o + (int) step, os);
    }

    /**
     * {@link #fusedRowPair8}'s loop, shaped for C2's register allocation (see {@link Q8_0Tensor}'s {@code pair8}):
     * static, the activation offset as the loop variable, and both weight rows decoded before their multiply-adds,
     * one table live at a time. Each row's sum is the same as before, in the same order. qwen2.5-0.5b's Q4_0 gate
     * and up matrices, 8 rows, 2 threads: 2.3-3.0 against 2.8-3.5 ns per block; the loop variable alone, or with
     * the old order, was 10% slower (docs/performance.md, "Loop variable round").
     */
    private static void pair8(MemorySegment data, long base, long next, int nb, float[] x, int batch, float[] out,
            int o, int o2, int os) {
        FloatVector a0 = FloatVector.zero(QF), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        long off = base;
        for (int l = 0, end = nb * 8 * BLOCK; l < end; l += 8 * BLOCK, off += BYTES) {
            long off2 = off + next;
            IntVector table = CENTRED_F.mul(f16(data, off)).reinterpretAsInts();
            IntVector v = (IntVector) ByteVector.fromMemorySegment(BS, data, off + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector lo = v.selectFrom(table).reinterpretAsFloats();
            FloatVector hi = v.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats();
            table = CENTRED_F.mul(f16(data, off2)).reinterpretAsInts();
            v = (IntVector) ByteVector.fromMemorySegment(BS, data, off2 + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, QI, 0);
            FloatVector lo2 = v.selectFrom(table).reinterpretAsFloats();
            FloatVector hi2 = v.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats();
            FloatVector y = FloatVector.fromArray(QF, x, l);
            a0 = lo.fma(y, a0);
            b0 = lo2.fma(y, b0);
            y = FloatVector.fromArray(QF, x, l + 32);
            a1 = lo.fma(y, a1);
            b1 = lo2.fma(y, b1);
            y = FloatVector.fromArray(QF, x, l + 64);
            a2 = lo.fma(y, a2);
            b2 = lo2.fma(y, b2);
            y = FloatVector.fromArray(QF, x, l + 96);
            a3 = lo.fma(y, a3);
            b3 = lo2.fma(y, b3);
            y = FloatVector.fromArray(QF, x, l + 128);
            a4 = lo.fma(y, a4);
            b4 = lo2.fma(y, b4);
            y = FloatVector.fromArray(QF, x, l + 160);
            a5 = lo.fma(y, a5);
            b5 = lo2.fma(y, b5);
            y = FloatVector.fromArray(QF, x, l + 192);
            a6 = lo.fma(y, a6);
            b6 = lo2.fma(y, b6);
            y = FloatVector.fromArray(QF, x, l + 224);
            a7 = lo.fma(y, a7);
            b7 = lo2.fma(y, b7);
            y = FloatVector.fromArray(QF, x, l + 16);
            a0 = hi.fma(y, a0);
            b0 = hi2.fma(y, b0);
            y = FloatVector.fromArray(QF, x, l + 48);
            a1 = hi.fma(y, a1);
            b1 = hi2.fma(y, b1);
            y = FloatVector.fromArray(QF, x, l + 80);
            a2 = hi.fma(y, a2);
            b2 = hi2.fma(y, b2);
            y = FloatVector.fromArray(QF, x, l + 112);
            a3 = hi.fma(y, a3);
            b3 = hi2.fma(y, b3);
            y = FloatVector.fromArray(QF, x, l + 144);
            a4 = hi.fma(y, a4);
            b4 = hi2.fma(y, b4);
            y = FloatVector.fromArray(QF, x, l + 176);
            a5 = hi.fma(y, a5);
            b5 = hi2.fma(y, b5);
            y = FloatVector.fromArray(QF, x, l + 208);
            a6 = hi.fma(y, a6);
            b6 = hi2.fma(y, b6);
            y = FloatVector.fromArray(QF, x, l + 240);
            a7 = hi.fma(y, a7);
            b7 = hi2.fma(y, b7);
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

    /** ggml's quantize_row_q4_0_ref: d = (the value of largest magnitude) / -8, q = min(15, (int) (x / d + 8.5)). */
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
            float d = max / -8;
            float id = d != 0 ? 1 / d : 0;
            QuantMath.putF16(dst, o, d);
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(15, (byte) (int) (src[x + j] * id + 8.5f));
                int q1 = Math.min(15, (byte) (int) (src[x + 16 + j] * id + 8.5f));
                dst[o + 2 + j] = (byte) (q0 | q1 << 4);
            }
        }
    }
}
