package io.minnow.tensor;

import static io.minnow.tensor.Kernels.F;
import static io.minnow.tensor.Kernels.LANES;
import static io.minnow.tensor.Kernels.SHORT_LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 2-byte float formats (F16, BF16): one little-endian short per element. The loops are shared; a subclass
 * says how one short ({@link #toFloat}) and one vector of shorts ({@link #load}) become floats.
 */
abstract sealed class HalfTensor extends Tensor permits F16Tensor, BF16Tensor {
    /** Shorts with as many lanes as {@link Kernels#F}; null below 4 lanes (no such shape), where dotVector is scalar. */
    static final VectorSpecies<Short> S =
            LANES >= 4 ? VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * 16)) : null;
    static final VectorSpecies<Integer> I = F.withLanes(int.class);

    HalfTensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    /** One element's bits as a float. */
    abstract float toFloat(short bits);

    /** {@link Kernels#LANES} elements from {@code i} of the row at byte {@code base}. */
    abstract FloatVector load(long base, int i);

    /** The bits of {@link Kernels#LANES} elements, widened to ints. */
    final IntVector loadBits(long base, int i) {
        ShortVector s = ShortVector.fromMemorySegment(S, data, base + 2L * i, java.nio.ByteOrder.LITTLE_ENDIAN);
        return (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
    }

    private float at(long base, int i) {
        return toFloat(data.get(SHORT_LE, base + 2L * i));
    }

    @Override
    public final void dequantizeRow(long row, float[] out, int off) {
        long base = row * cols * 2L;
        for (int i = 0; i < cols; i++) {
            out[off + i] = at(base, i);
        }
    }

    @Override
    public final float dotScalar(long row, float[] x, int xOff) {
        long base = row * cols * 2L;
        float sum = 0f;
        for (int i = 0; i < cols; i++) {
            sum += at(base, i) * x[xOff + i];
        }
        return sum;
    }

    @Override
    public final float dotVector(long row, float[] x, int xOff) {
        if (S == null) {
            return dotScalar(row, x, xOff);
        }
        long base = row * cols * 2L;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int i = 0;
        int bound2 = cols - cols % (2 * LANES);
        for (; i < bound2; i += 2 * LANES) {
            a0 = load(base, i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            a1 = load(base, i + LANES).fma(FloatVector.fromArray(F, x, xOff + i + LANES), a1);
        }
        int bound = cols - cols % LANES;
        for (; i < bound; i += LANES) {
            a0 = load(base, i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
        }
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += at(base, i) * x[xOff + i];
        }
        return sum;
    }
}
