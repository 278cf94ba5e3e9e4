package io.minnow.tensor;

import static io.minnow.tensor.Kernels.BS;
import static io.minnow.tensor.Kernels.CH;
import static io.minnow.tensor.Kernels.bcast;
import static io.minnow.tensor.Kernels.dotB;
import static io.minnow.tensor.Kernels.f16;
import static io.minnow.tensor.Kernels.i32;
import static io.minnow.tensor.Kernels.loadB;
import static io.minnow.tensor.Kernels.sum32;
import static io.minnow.tensor.Kernels.u8;
import static io.minnow.tensor.Kernels.zero;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Q5_1: blocks of 32 elements in 24 bytes.
 * <pre>
 * offset 0   f16  d
 * offset 2   f16  m
 * offset 4   u32  qh         (little-endian) fifth bit of element i is bit i
 * offset 8   u8   qs[16]     element j      = d * ((qs[j] &amp; 0xF) | bit j      &lt;&lt; 4) + m
 *                            element j + 16 = d * ((qs[j] &gt;&gt; 4)  | bit j + 16 &lt;&lt; 4) + m   (j = 0..15)
 * </pre>
 */
public final class Q5_1Tensor extends Tensor {
    static final int BLOCK = 32;
    static final int BYTES = 24;

    public Q5_1Tensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q5_1;
    }

    @Override
    public void dequantizeRow(long row, float[] out, int off) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
        for (int b = 0; b < nb; b++) {
            long o = base + (long) b * BYTES;
            float d = f16(data, o);
            float m = f16(data, o + 2);
            int qh = i32(data, o + 4);
            int y = off + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = u8(data, o + 8 + j);
                out[y + j] = d * ((q & 0xF) | ((qh >>> j) & 1) << 4) + m;
                out[y + j + 16] = d * ((q >>> 4) | ((qh >>> (j + 16)) & 1) << 4) + m;
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
            int qh = i32(data, o + 4);
            float s = 0f;
            float sx = 0f;
            for (int j = 0; j < 16; j++) {
                int q = u8(data, o + 8 + j);
                s += ((q & 0xF) | ((qh >>> j) & 1) << 4) * x[xo + j]
                        + ((q >>> 4) | ((qh >>> (j + 16)) & 1) << 4) * x[xo + j + 16];
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
            int qh = i32(data, o + 4);
            FloatVector s = zero();
            for (int c = 0; c < 16; c += CH) {
                ByteVector q = loadB(data, o + 8 + c);
                VectorMask<Byte> hlo = VectorMask.fromLong(BS, qh >>> c);
                VectorMask<Byte> hhi = VectorMask.fromLong(BS, qh >>> (16 + c));
                s = dotB(q.and((byte) 0x0F).lanewise(VectorOperators.OR, (byte) 16, hlo), x, xo + c, s);
                s = dotB(q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.OR, (byte) 16, hhi), x,
                        xo + 16 + c, s);
            }
            acc = s.fma(bcast(f16(data, o)), acc);
            acc = sum32(x, xo, zero()).fma(bcast(f16(data, o + 2)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
