package io.minnow.tensor;

import static io.minnow.tensor.Kernels.BS;
import static io.minnow.tensor.Kernels.CH;
import static io.minnow.tensor.Kernels.ONE_PART;
import static io.minnow.tensor.Kernels.QF;
import static io.minnow.tensor.Kernels.SHORT_LE;
import static io.minnow.tensor.Kernels.bcast;
import static io.minnow.tensor.Kernels.dotB;
import static io.minnow.tensor.Kernels.f16;
import static io.minnow.tensor.Kernels.i8;
import static io.minnow.tensor.Kernels.loadB;
import static io.minnow.tensor.Kernels.storeScaled;
import static io.minnow.tensor.Kernels.zero;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0: blocks of 32 elements in 34 bytes.
 * <pre>
 * offset 0   f16  d
 * offset 2   int8 qs[32]     element j = d * qs[j]
 * </pre>
 */
public final class Q8_0Tensor extends Tensor {
    static final int BLOCK = 32;
    static final int BYTES = 34;

    public Q8_0Tensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q8_0;
    }

    @Override
    public void dequantizeRow(long row, float[] out, int off) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            float d = f16(data, o);
            int y = off + b * BLOCK;
            for (int j = 0; j < BLOCK; j++) {
                out[y + j] = d * i8(data, o + 2 + j);
            }
        }
    }

    /**
     * At 256 and 512 bits ({@link Kernels#ONE_PART}) this calls the JDK only: through the shared helpers C2 left the
     * byte load out of line here and allocated two objects per chunk (22 GB in one prompt-processing benchmark).
     */
    @Override
    void dequantizeRowVector(long row, float[] out, int off) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        if (ONE_PART) {
            for (int b = 0; b < nb; b++) {
                long o = base + (long) b * BYTES;
                FloatVector d = FloatVector.broadcast(QF, f16(data, o));
                for (int c = 0; c < 32; c += CH) {
                    ((FloatVector) ByteVector.fromMemorySegment(BS, data, o + 2 + c, LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2F, QF, 0)).mul(d).intoArray(out, off + b * BLOCK + c);
                }
            }
            return;
        }
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            float d = f16(data, o);
            for (int c = 0; c < 32; c += CH) {
                storeScaled(loadB(data, o + 2 + c), d, out, off + b * BLOCK + c);
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
            for (int j = 0; j < BLOCK; j++) {
                s += i8(data, o + 2 + j) * x[xo + j];
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
        // A block's chunks are written out (two at 512 bits, four at 256: CH is a constant, so the two tests fold
        // away), the first a multiply (= an FMA onto 0). C2 then unrolls the block loop and hoists its bounds
        // checks, where a nested loop over the chunks kept one check per block and half the unrolling (in cache
        // 3.1-3.2 -> 2.6-2.7 ns per block at 512 bits, 3.2 -> 2.9-3.1 at 256; docs/performance.md).
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            int xo = xOff + b * BLOCK;
            FloatVector s = ((FloatVector) ByteVector.fromMemorySegment(BS, data, o + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0)).mul(FloatVector.fromArray(QF, x, xo));
            if (CH == 8) {
                s = ((FloatVector) ByteVector.fromMemorySegment(BS, data, o + 10, LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, QF, 0)).fma(FloatVector.fromArray(QF, x, xo + 8), s);
            }
            s = ((FloatVector) ByteVector.fromMemorySegment(BS, data, o + 18, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0)).fma(FloatVector.fromArray(QF, x, xo + 16), s);
            if (CH == 8) {
                s = ((FloatVector) ByteVector.fromMemorySegment(BS, data, o + 26, LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, QF, 0)).fma(FloatVector.fromArray(QF, x, xo + 24), s);
            }
            acc = s.fma(FloatVector.broadcast(QF, f16(data, o)), acc);
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

    /** The Vector API path for other widths (a chunk of quants spans several float vectors). */
    private float dotParts(long row, float[] x, int xOff) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        FloatVector acc = zero();
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            int xo = xOff + b * BLOCK;
            FloatVector s = zero();
            for (int c = 0; c < 32; c += CH) {
                s = dotB(loadB(data, o + 2 + c), x, xo + c, s);
            }
            acc = s.fma(bcast(f16(data, o)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    boolean hasFusedRows() {
        return true;
    }

    /**
     * Up to 4 activation rows as {@link #dotVector} does one: per block each chunk widened once, each row's block sum
     * built from it, then scaled by d. Rows past the batch repeat its last row (no branch on the batch size: a size
     * C2 has not seen would deoptimize the kernel); their sums equal that row's and are stored over it. Same-JVM
     * alternating passes over qwen2.5-0.5b's output matrix (151936 x 896), 2 threads, 4 activation rows: 6.2 ms,
     * against 18-19 ms for the paired kernel it replaces (chunks scaled by d, two weight rows per call), which was
     * slower than four one-row passes (4.0-4.4 ms each; docs/performance.md).
     */
    @Override
    void fusedRows(long row, float[] x, int batch, float[] out, int o, int os) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        int x1 = cols, x2 = Math.min(2, batch - 1) * cols, x3 = Math.min(3, batch - 1) * cols;
        FloatVector a0 = FloatVector.zero(QF), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++) {
            long off = base + (long) b * BYTES;
            int xo = b * BLOCK;
            FloatVector q = (FloatVector) ByteVector.fromMemorySegment(BS, data, off + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0);
            FloatVector s0 = q.mul(FloatVector.fromArray(QF, x, xo));
            FloatVector s1 = q.mul(FloatVector.fromArray(QF, x, x1 + xo));
            FloatVector s2 = q.mul(FloatVector.fromArray(QF, x, x2 + xo));
            FloatVector s3 = q.mul(FloatVector.fromArray(QF, x, x3 + xo));
            if (CH == 8) {
                q = (FloatVector) ByteVector.fromMemorySegment(BS, data, off + 10, LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, QF, 0);
                s0 = q.fma(FloatVector.fromArray(QF, x, xo + 8), s0);
                s1 = q.fma(FloatVector.fromArray(QF, x, x1 + xo + 8), s1);
                s2 = q.fma(FloatVector.fromArray(QF, x, x2 + xo + 8), s2);
                s3 = q.fma(FloatVector.fromArray(QF, x, x3 + xo + 8), s3);
            }
            q = (FloatVector) ByteVector.fromMemorySegment(BS, data, off + 18, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0);
            s0 = q.fma(FloatVector.fromArray(QF, x, xo + 16), s0);
            s1 = q.fma(FloatVector.fromArray(QF, x, x1 + xo + 16), s1);
            s2 = q.fma(FloatVector.fromArray(QF, x, x2 + xo + 16), s2);
            s3 = q.fma(FloatVector.fromArray(QF, x, x3 + xo + 16), s3);
            if (CH == 8) {
                q = (FloatVector) ByteVector.fromMemorySegment(BS, data, off + 26, LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, QF, 0);
                s0 = q.fma(FloatVector.fromArray(QF, x, xo + 24), s0);
                s1 = q.fma(FloatVector.fromArray(QF, x, x1 + xo + 24), s1);
                s2 = q.fma(FloatVector.fromArray(QF, x, x2 + xo + 24), s2);
                s3 = q.fma(FloatVector.fromArray(QF, x, x3 + xo + 24), s3);
            }
            FloatVector d = FloatVector.broadcast(QF, f16(data, off));
            a0 = s0.fma(d, a0);
            a1 = s1.fma(d, a1);
            a2 = s2.fma(d, a2);
            a3 = s3.fma(d, a3);
        }
        Kernels.storeRows(a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD),
                a2.reduceLanes(VectorOperators.ADD), a3.reduceLanes(VectorOperators.ADD), batch, out, o, os);
    }

    @Override
    boolean hasFusedRowQuads() {
        return Kernels.WIDE_REGISTERS;
    }

    /**
     * {@link #fusedRows} for four weight rows ({@code row + i * step}) at once: each activation vector is loaded once
     * for the four, and each row's sum is built exactly as {@link #fusedRows} builds it. qwen2.5-0.5b's output
     * matrix, one thread, 4 activation rows: 2.63-2.67 against 2.78-2.81 ns per block streamed from memory, 2.14
     * against 2.65 in cache (docs/performance.md, "Spread rows round").
     */
    @Override
    void fusedRowQuad(long row, long step, float[] x, int batch, float[] out, int o, int os) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES, rb = step * nb * BYTES;
        int s1 = (int) step;
        int x1 = BLOCK, x2 = 2 * BLOCK, x3 = 3 * BLOCK; // interleaved: the 4 rows of a block side by side
        FloatVector a0 = FloatVector.zero(QF), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0;
        for (int b = 0; b < nb; b++) {
            long w = base + (long) b * BYTES;
            int l = b * FUSED_MAX * BLOCK, h = l + 16;
            FloatVector y0 = FloatVector.fromArray(QF, x, l), z0 = FloatVector.fromArray(QF, x, h);
            FloatVector y1 = FloatVector.fromArray(QF, x, x1 + l), z1 = FloatVector.fromArray(QF, x, x1 + h);
            FloatVector y2 = FloatVector.fromArray(QF, x, x2 + l), z2 = FloatVector.fromArray(QF, x, x2 + h);
            FloatVector y3 = FloatVector.fromArray(QF, x, x3 + l), z3 = FloatVector.fromArray(QF, x, x3 + h);
            // per weight row: s = q * y, then s = r * z + s, then acc = s * d + acc, as fusedRows does at 16 lanes
            FloatVector q = (FloatVector) ByteVector.fromMemorySegment(BS, data, w + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0);
            FloatVector r = (FloatVector) ByteVector.fromMemorySegment(BS, data, w + 18, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0);
            FloatVector d = FloatVector.broadcast(QF, Float.float16ToFloat(data.get(SHORT_LE, w)));
            a0 = r.fma(z0, q.mul(y0)).fma(d, a0);
            a1 = r.fma(z1, q.mul(y1)).fma(d, a1);
            a2 = r.fma(z2, q.mul(y2)).fma(d, a2);
            a3 = r.fma(z3, q.mul(y3)).fma(d, a3);
            w += rb;
            q = (FloatVector) ByteVector.fromMemorySegment(BS, data, w + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0);
            r = (FloatVector) ByteVector.fromMemorySegment(BS, data, w + 18, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0);
            d = FloatVector.broadcast(QF, Float.float16ToFloat(data.get(SHORT_LE, w)));
            b0 = r.fma(z0, q.mul(y0)).fma(d, b0);
            b1 = r.fma(z1, q.mul(y1)).fma(d, b1);
            b2 = r.fma(z2, q.mul(y2)).fma(d, b2);
            b3 = r.fma(z3, q.mul(y3)).fma(d, b3);
            w += rb;
            q = (FloatVector) ByteVector.fromMemorySegment(BS, data, w + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0);
            r = (FloatVector) ByteVector.fromMemorySegment(BS, data, w + 18, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0);
            d = FloatVector.broadcast(QF, Float.float16ToFloat(data.get(SHORT_LE, w)));
            c0 = r.fma(z0, q.mul(y0)).fma(d, c0);
            c1 = r.fma(z1, q.mul(y1)).fma(d, c1);
            c2 = r.fma(z2, q.mul(y2)).fma(d, c2);
            c3 = r.fma(z3, q.mul(y3)).fma(d, c3);
            w += rb;
            q = (FloatVector) ByteVector.fromMemorySegment(BS, data, w + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0);
            r = (FloatVector) ByteVector.fromMemorySegment(BS, data, w + 18, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0);
            d = FloatVector.broadcast(QF, Float.float16ToFloat(data.get(SHORT_LE, w)));
            e0 = r.fma(z0, q.mul(y0)).fma(d, e0);
            e1 = r.fma(z1, q.mul(y1)).fma(d, e1);
            e2 = r.fma(z2, q.mul(y2)).fma(d, e2);
            e3 = r.fma(z3, q.mul(y3)).fma(d, e3);
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
        return Kernels.WIDE_REGISTERS;
    }

    /**
     * Two weight rows ({@code row}, {@code row + step}) by 5 to 8 activation rows of {@code xi} ({@link #interleave},
     * 8 rows per block): each weight vector is converted once and scaled by its block's d, then multiplied into the 8
     * rows (16 accumulators), where two quads converted each block twice and took a multiply and two multiply-adds per
     * block and row. A row's sum does not depend on its partner ({@code step} 0 pairs a row with itself).
     */
    @Override
    void fusedRowPair8(long row, long step, float[] xi, int batch, float[] out, int o, int os) {
        int nb = cols / BLOCK;
        pair8(data, row * nb * BYTES, step * nb * BYTES, nb, xi, batch, out, o, o + (int) step, os);
    }

    /**
     * {@link #fusedRowPair8}'s loop: static, with the byte offsets passed in, and the activation offset {@code l} as
     * the loop variable. Counting blocks instead and computing {@code l = b * 256}, C2 kept a copy of {@code l} per
     * activation load, most of them on the stack (one reload per load). qwen2.5-0.5b Q8_0 {@code ffn_gate}, 8 rows,
     * 2 threads, in cache: 2.3-2.7 against 3.2 ns per block; static alone did not change it (docs/performance.md,
     * "Loop variable round").
     */
    private static void pair8(MemorySegment data, long base, long next, int nb, float[] xi, int batch, float[] out,
            int o, int o2, int os) {
        int x1 = BLOCK, x2 = 2 * BLOCK, x3 = 3 * BLOCK, x4 = 4 * BLOCK, x5 = 5 * BLOCK, x6 = 6 * BLOCK, x7 = 7 * BLOCK;
        FloatVector a0 = FloatVector.zero(QF), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        long w = base;
        for (int l = 0, end = nb * 8 * BLOCK; l < end; l += 8 * BLOCK, w += BYTES) {
            long v = w + next;
            int h = l + 16;
            float d = Float.float16ToFloat(data.get(SHORT_LE, w)), e = Float.float16ToFloat(data.get(SHORT_LE, v));
            FloatVector q = ((FloatVector) ByteVector.fromMemorySegment(BS, data, w + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0)).mul(d);
            FloatVector r = ((FloatVector) ByteVector.fromMemorySegment(BS, data, v + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0)).mul(e);
            FloatVector y = FloatVector.fromArray(QF, xi, l);
            a0 = q.fma(y, a0);
            b0 = r.fma(y, b0);
            y = FloatVector.fromArray(QF, xi, x1 + l);
            a1 = q.fma(y, a1);
            b1 = r.fma(y, b1);
            y = FloatVector.fromArray(QF, xi, x2 + l);
            a2 = q.fma(y, a2);
            b2 = r.fma(y, b2);
            y = FloatVector.fromArray(QF, xi, x3 + l);
            a3 = q.fma(y, a3);
            b3 = r.fma(y, b3);
            y = FloatVector.fromArray(QF, xi, x4 + l);
            a4 = q.fma(y, a4);
            b4 = r.fma(y, b4);
            y = FloatVector.fromArray(QF, xi, x5 + l);
            a5 = q.fma(y, a5);
            b5 = r.fma(y, b5);
            y = FloatVector.fromArray(QF, xi, x6 + l);
            a6 = q.fma(y, a6);
            b6 = r.fma(y, b6);
            y = FloatVector.fromArray(QF, xi, x7 + l);
            a7 = q.fma(y, a7);
            b7 = r.fma(y, b7);
            q = ((FloatVector) ByteVector.fromMemorySegment(BS, data, w + 18, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0)).mul(d);
            r = ((FloatVector) ByteVector.fromMemorySegment(BS, data, v + 18, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0)).mul(e);
            y = FloatVector.fromArray(QF, xi, h);
            a0 = q.fma(y, a0);
            b0 = r.fma(y, b0);
            y = FloatVector.fromArray(QF, xi, x1 + h);
            a1 = q.fma(y, a1);
            b1 = r.fma(y, b1);
            y = FloatVector.fromArray(QF, xi, x2 + h);
            a2 = q.fma(y, a2);
            b2 = r.fma(y, b2);
            y = FloatVector.fromArray(QF, xi, x3 + h);
            a3 = q.fma(y, a3);
            b3 = r.fma(y, b3);
            y = FloatVector.fromArray(QF, xi, x4 + h);
            a4 = q.fma(y, a4);
            b4 = r.fma(y, b4);
            y = FloatVector.fromArray(QF, xi, x5 + h);
            a5 = q.fma(y, a5);
            b5 = r.fma(y, b5);
            y = FloatVector.fromArray(QF, xi, x6 + h);
            a6 = q.fma(y, a6);
            b6 = r.fma(y, b6);
            y = FloatVector.fromArray(QF, xi, x7 + h);
            a7 = q.fma(y, a7);
            b7 = r.fma(y, b7);
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

    @Override
    boolean hasRowsOf2() {
        return true;
    }

    /**
     * {@link #fusedRows} for exactly 2 activation rows. Output matrix of qwen2.5-0.5b as above: 4.4-5.8 ms, against
     * 11.3 ms for the paired kernel it replaces.
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
            FloatVector q = (FloatVector) ByteVector.fromMemorySegment(BS, data, off + 2, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0);
            FloatVector s0 = q.mul(FloatVector.fromArray(QF, x, xo));
            FloatVector s1 = q.mul(FloatVector.fromArray(QF, x, x1 + xo));
            if (CH == 8) {
                q = (FloatVector) ByteVector.fromMemorySegment(BS, data, off + 10, LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, QF, 0);
                s0 = q.fma(FloatVector.fromArray(QF, x, xo + 8), s0);
                s1 = q.fma(FloatVector.fromArray(QF, x, x1 + xo + 8), s1);
            }
            q = (FloatVector) ByteVector.fromMemorySegment(BS, data, off + 18, LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, QF, 0);
            s0 = q.fma(FloatVector.fromArray(QF, x, xo + 16), s0);
            s1 = q.fma(FloatVector.fromArray(QF, x, x1 + xo + 16), s1);
            if (CH == 8) {
                q = (FloatVector) ByteVector.fromMemorySegment(BS, data, off + 26, LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, QF, 0);
                s0 = q.fma(FloatVector.fromArray(QF, x, xo + 24), s0);
                s1 = q.fma(FloatVector.fromArray(QF, x, x1 + xo + 24), s1);
            }
            FloatVector d = FloatVector.broadcast(QF, f16(data, off));
            a0 = s0.fma(d, a0);
            a1 = s1.fma(d, a1);
        }
        out[o] = a0.reduceLanes(VectorOperators.ADD);
        out[o + os] = a1.reduceLanes(VectorOperators.ADD);
    }

    /** ggml's quantize_row_q8_0_ref: d = max|x| / 127, q = round(x / d). */
    public static void quantizeRow(float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int x = srcOff + b * BLOCK, o = dstOff + b * BYTES;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(src[x + j]));
            float d = amax / 127;
            float id = d != 0 ? 1 / d : 0;
            QuantMath.putF16(dst, o, d);
            for (int j = 0; j < BLOCK; j++) dst[o + 2 + j] = (byte) QuantMath.roundf(src[x + j] * id);
        }
    }
}
