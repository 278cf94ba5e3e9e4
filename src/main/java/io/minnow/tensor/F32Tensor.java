package io.minnow.tensor;

import static io.minnow.tensor.Kernels.F;
import static io.minnow.tensor.Kernels.FLOAT_LE;
import static io.minnow.tensor.Kernels.LANES;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** F32 weights: 4 little-endian bytes per element, rows contiguous. */
public final class F32Tensor extends Tensor {

    public F32Tensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.F32;
    }

    @Override
    public void dequantizeRow(long row, float[] out, int off) {
        long base = row * cols * 4L;
        for (int i = 0; i < cols; i++) {
            out[off + i] = data.get(FLOAT_LE, base + 4L * i);
        }
    }

    @Override
    public float dotScalar(long row, float[] x, int xOff) {
        long base = row * cols * 4L;
        float sum = 0f;
        for (int i = 0; i < cols; i++) {
            sum += data.get(FLOAT_LE, base + 4L * i) * x[xOff + i];
        }
        return sum;
    }

    @Override
    public float dotVector(long row, float[] x, int xOff) {
        long base = row * cols * 4L;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        int step = 4 * LANES;
        int bound4 = cols - cols % step;
        for (; i < bound4; i += step) {
            a0 = load(base, i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = load(base, i + LANES).fma(FloatVector.fromArray(F, x, xOff + i + LANES), a1);
            a2 = load(base, i + 2 * LANES).fma(FloatVector.fromArray(F, x, xOff + i + 2 * LANES), a2);
            a3 = load(base, i + 3 * LANES).fma(FloatVector.fromArray(F, x, xOff + i + 3 * LANES), a3);
        }
        int bound = cols - cols % LANES;
        for (; i < bound; i += LANES) {
            a0 = load(base, i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += data.get(FLOAT_LE, base + 4L * i) * x[xOff + i];
        }
        return sum;
    }

    private FloatVector load(long base, int i) {
        return FloatVector.fromMemorySegment(F, data, base + 4L * i, LITTLE_ENDIAN);
    }
}
