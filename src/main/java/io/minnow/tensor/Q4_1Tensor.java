package io.minnow.tensor;

import static io.minnow.tensor.Kernels.CH;
import static io.minnow.tensor.Kernels.bcast;
import static io.minnow.tensor.Kernels.dotB;
import static io.minnow.tensor.Kernels.f16;
import static io.minnow.tensor.Kernels.loadB;
import static io.minnow.tensor.Kernels.sum32;
import static io.minnow.tensor.Kernels.u8;
import static io.minnow.tensor.Kernels.zero;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_1: blocks of 32 elements in 20 bytes.
 * <pre>
 * offset 0   f16  d
 * offset 2   f16  m
 * offset 4   u8   qs[16]     element j      = d * (qs[j] &amp; 0xF) + m
 *                            element j + 16 = d * (qs[j] &gt;&gt; 4) + m        (j = 0..15)
 * </pre>
 * The dot products use {@code sum = d * sum(q*x) + m * sum(x)} per block.
 */
public final class Q4_1Tensor extends Tensor {
    static final int BLOCK = 32;
    static final int BYTES = 20;

    public Q4_1Tensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_1;
    }

    @Override
    public void dequantizeRow(long row, float[] out, int off) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            float d = f16(data, o);
            float m = f16(data, o + 2);
            int y = off + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = u8(data, o + 4 + j);
                out[y + j] = d * (q & 0xF) + m;
                out[y + j + 16] = d * (q >>> 4) + m;
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
            float sx = 0f;
            for (int j = 0; j < 16; j++) {
                int q = u8(data, o + 4 + j);
                s += (q & 0xF) * x[xo + j] + (q >>> 4) * x[xo + j + 16];
                sx += x[xo + j] + x[xo + j + 16];
            }
            sum += f16(data, o) * s + f16(data, o + 2) * sx;
        }
        return sum;
    }

    @Override
    public float dotVector(long row, float[] x, int xOff) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        FloatVector acc = zero();
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            int xo = xOff + b * BLOCK;
            FloatVector s = zero();
            for (int c = 0; c < 16; c += CH) {
                ByteVector q = loadB(data, o + 4 + c);
                s = dotB(q.and((byte) 0x0F), x, xo + c, s);
                s = dotB(q.lanewise(VectorOperators.LSHR, 4), x, xo + 16 + c, s);
            }
            acc = s.fma(bcast(f16(data, o)), acc);
            acc = sum32(x, xo, zero()).fma(bcast(f16(data, o + 2)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
