package io.minnow.tensor;

import static io.minnow.tensor.Kernels.CH;
import static io.minnow.tensor.Kernels.bcast;
import static io.minnow.tensor.Kernels.dotB;
import static io.minnow.tensor.Kernels.f16;
import static io.minnow.tensor.Kernels.i8;
import static io.minnow.tensor.Kernels.loadB;
import static io.minnow.tensor.Kernels.storeScaled;
import static io.minnow.tensor.Kernels.zero;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
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

    @Override
    void dequantizeRowVector(long row, float[] out, int off) {
        int nb = cols / BLOCK;
        long base = row * nb * BYTES;
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

    @Override
    public float dotVector(long row, float[] x, int xOff) {
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
