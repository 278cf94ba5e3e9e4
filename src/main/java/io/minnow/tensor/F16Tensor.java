package io.minnow.tensor;

import static io.minnow.tensor.Kernels.F;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * F16 weights: 2 little-endian bytes per element, IEEE binary16. The vector path widens the halves with integer
 * operations (normal: exponent rebias; subnormal: int-to-float times 2^-24; Inf/NaN kept), which is exact and
 * never touches float denormals.
 */
public final class F16Tensor extends HalfTensor {
    public F16Tensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.F16;
    }

    @Override
    float toFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    @Override
    FloatVector load(long base, int i) {
        IntVector bits = loadBits(base, i);
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
