package io.minnow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minnow.gguf.GGMLType;
import io.minnow.gguf.TensorInfo;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class TensorOfTest {

    @Test
    void rejectsUnsupportedTypeWithClearMessage() {
        TensorInfo info = new TensorInfo("blk.0.ffn_down.weight", new long[] {256, 4}, GGMLType.Q2_K, 0,
                MemorySegment.ofArray(new byte[(int) GGMLType.Q2_K.byteSize(1024)]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(info));
        assertEquals("tensor 'blk.0.ffn_down.weight' has type Q2_K, which Minnow does not support (supported: "
                + "F32, F16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K, BF16)", e.getMessage());
        assertFalse(Tensor.isSupported(GGMLType.Q2_K));
        assertTrue(Tensor.isSupported(GGMLType.Q6_K));
    }

    @Test
    void mapsEveryTypeToItsClass() {
        assertInstanceOf(F32Tensor.class, of(GGMLType.F32, 32, 2));
        assertInstanceOf(F16Tensor.class, of(GGMLType.F16, 32, 2));
        assertInstanceOf(BF16Tensor.class, of(GGMLType.BF16, 32, 2));
        assertInstanceOf(Q8_0Tensor.class, of(GGMLType.Q8_0, 32, 2));
        assertInstanceOf(Q4_0Tensor.class, of(GGMLType.Q4_0, 32, 2));
        assertInstanceOf(Q4_1Tensor.class, of(GGMLType.Q4_1, 32, 2));
        assertInstanceOf(Q5_0Tensor.class, of(GGMLType.Q5_0, 32, 2));
        assertInstanceOf(Q5_1Tensor.class, of(GGMLType.Q5_1, 32, 2));
        assertInstanceOf(Q4_KTensor.class, of(GGMLType.Q4_K, 256, 2));
        assertInstanceOf(Q5_KTensor.class, of(GGMLType.Q5_K, 256, 2));
        assertInstanceOf(Q6_KTensor.class, of(GGMLType.Q6_K, 256, 2));
    }

    @Test
    void oneAndThreeDimensionalShapes() {
        Tensor v = Tensor.of(new TensorInfo("norm", new long[] {64}, GGMLType.F32, 0, MemorySegment.ofArray(new byte[256])));
        assertEquals(1, v.rows());
        assertEquals(64, v.cols());
        Tensor c = Tensor.of(new TensorInfo("c", new long[] {32, 3, 4}, GGMLType.Q8_0, 0,
                MemorySegment.ofArray(new byte[34 * 12])));
        assertEquals(12, c.rows());
        assertEquals(32, c.cols());
    }

    @Test
    void rejectsPartialBlocksAndShortData() {
        assertThrows(IllegalArgumentException.class, () -> of(GGMLType.Q4_K, 128, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new TensorInfo("short", new long[] {32, 2},
                GGMLType.Q8_0, 0, MemorySegment.ofArray(new byte[34]))));
    }

    private static Tensor of(GGMLType type, int cols, int rows) {
        return Tensor.of(new TensorInfo("t", new long[] {cols, rows}, type, 0,
                MemorySegment.ofArray(new byte[(int) type.byteSize((long) cols * rows)])));
    }
}
