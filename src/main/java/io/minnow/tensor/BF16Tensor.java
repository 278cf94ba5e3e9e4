package io.minnow.tensor;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** BF16 weights: 2 little-endian bytes per element, the upper half of a float32 ({@code bits << 16}). */
public final class BF16Tensor extends HalfTensor {
    public BF16Tensor(MemorySegment data, long rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.BF16;
    }

    @Override
    float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    @Override
    FloatVector load(long base, int i) {
        IntVector bits = loadBits(base, i);
        return bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
