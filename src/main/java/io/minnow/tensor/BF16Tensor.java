package io.minnow.tensor;

import static io.minnow.tensor.Kernels.F;
import static io.minnow.tensor.Kernels.LANES;
import static io.minnow.tensor.Kernels.SHORT_LE;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** BF16 weights: 2 little-endian bytes per element, the upper half of a float32 ({@code bits << 16}). */
public final class BF16Tensor extends Tensor {
    /** Shorts with as many lanes as {@link Kernels#F}; null below 4 lanes (no such shape), where dotVector is scalar. */
    private static final VectorSpecies<Short> S =
            LANES >= 4 ? VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * 16)) : null;
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);

    public BF16Tensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.BF16;
    }

    private float at(long base, int i) {
        return Float.intBitsToFloat(data.get(SHORT_LE, base + 2L * i) << 16);
    }

    @Override
    public void dequantizeRow(long row, float[] out, int off) {
        long base = row * cols * 2L;
        for (int i = 0; i < cols; i++) {
            out[off + i] = at(base, i);
        }
    }

    @Override
    public float dotScalar(long row, float[] x, int xOff) {
        long base = row * cols * 2L;
        float sum = 0f;
        for (int i = 0; i < cols; i++) {
            sum += at(base, i) * x[xOff + i];
        }
        return sum;
    }

    @Override
    public float dotVector(long row, float[] x, int xOff) {
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

    private FloatVector load(long base, int i) {
        ShortVector s = ShortVector.fromMemorySegment(S, data, base + 2L * i, LITTLE_ENDIAN);
        IntVector bits = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
        return bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
