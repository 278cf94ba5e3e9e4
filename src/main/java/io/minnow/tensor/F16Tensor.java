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

/**
 * F16 weights: 2 little-endian bytes per element, IEEE binary16. The vector path widens the halves with integer
 * operations (normal: exponent rebias; subnormal: int-to-float times 2^-24; Inf/NaN kept), which is exact and
 * never touches float denormals.
 */
public final class F16Tensor extends Tensor {
    /** Shorts with as many lanes as {@link Kernels#F}; null below 4 lanes (no such shape), where dotVector is scalar. */
    private static final VectorSpecies<Short> S =
            LANES >= 4 ? VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * 16)) : null;
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);

    public F16Tensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.F16;
    }

    private float at(long base, int i) {
        return Float.float16ToFloat(data.get(SHORT_LE, base + 2L * i));
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
        IntVector em = bits.and(0x7FFF);
        IntVector sign = bits.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        // Normal halves: shift the exponent and mantissa into place and rebias 15 -> 127 (+112 << 23).
        IntVector normal = em.lanewise(VectorOperators.LSHL, 13).add(0x38000000);
        // Inf and NaN: exponent 31 must become 255, another +112.
        normal = normal.add(0x38000000, em.compare(VectorOperators.GE, 0x7C00));
        // Subnormal halves (and zero): mantissa * 2^-24, exact in float.
        FloatVector sub = ((FloatVector) em.convertShape(VectorOperators.I2F, F, 0)).mul(0x1p-24f);
        IntVector mag = normal.blend(sub.reinterpretAsInts(), em.compare(VectorOperators.LT, 0x400));
        return mag.or(sign).reinterpretAsFloats();
    }
}
