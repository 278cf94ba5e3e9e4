package io.minnow.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Round trips through every quantizer: Gaussian rows (with an outlier and an all-zero block) are quantized,
 * dequantized by the format class, and compared in float64 with the originals. The bounds are the relative RMS
 * errors these formats give on Gaussian data (about step / sqrt(12) of the block's scale), with some room.
 */
class QuantizerTest {
    @ParameterizedTest
    @CsvSource({"F32, 0", "F16, 0.0004", "BF16, 0.003", "Q8_0, 0.006", "Q6_K, 0.02", "Q5_0, 0.05", "Q4_K, 0.08", "Q4_0, 0.1"})
    void roundTrip(GGMLType type, double maxRelRms) {
        int rows = 8, cols = 1024;
        Random rnd = new Random(7);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        x[3 * cols + 17] = 9f; // an outlier
        for (int i = 0; i < 256; i++) x[5 * cols + 256 + i] = 0f; // an all-zero super-block
        byte[] q = Quantizer.quantize(type, x, rows, cols);
        assertEquals(type.byteSize(cols) * rows, q.length);
        Tensor t = Tensor.of(new io.minnow.gguf.TensorInfo("t", new long[] {cols, rows}, type, 0, MemorySegment.ofArray(q)));
        float[] y = new float[rows * cols];
        for (int r = 0; r < rows; r++) t.dequantizeRow(r, y, r * cols);
        double err = 0, ref = 0;
        for (int i = 0; i < x.length; i++) {
            err += ((double) y[i] - x[i]) * ((double) y[i] - x[i]);
            ref += (double) x[i] * x[i];
        }
        double rel = Math.sqrt(err / ref);
        System.out.printf("quantizer %-5s relative RMS error %.5f%n", type, rel);
        assertTrue(rel <= maxRelRms, type + ": relative RMS error " + rel + " > " + maxRelRms);
        if (type != GGMLType.F32) assertTrue(rel > 0, type + " cannot be lossless on Gaussian data");
        for (int i = 0; i < 256; i++) assertEquals(0f, y[5 * cols + 256 + i], 0f, type + ": zeros stay zeros");
        assertEquals(9f, y[3 * cols + 17], 9 * 4 * maxRelRms, type + ": the outlier survives");
    }

    @ParameterizedTest
    @CsvSource({"Q8_0", "Q4_0", "Q5_0"})
    void ggmlRounding(GGMLType type) {
        // a block whose largest magnitude is negative: d = max / -8 (Q4_0), / -16 (Q5_0) or |max| / 127 (Q8_0)
        float[] x = new float[32];
        for (int i = 0; i < 32; i++) x[i] = (i - 16) / 4f;
        byte[] q = Quantizer.quantize(type, x, 1, 32);
        float d = Float.float16ToFloat((short) ((q[0] & 0xFF) | q[1] << 8));
        float expected = switch (type) {
            case Q8_0 -> 4f / 127;
            case Q4_0 -> -4f / -8;
            default -> -4f / -16;
        };
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(expected)), d);
        if (type == GGMLType.Q4_0) {
            // x = -4 gives level 0; x = +3.75 gives min(15, (int) (3.75 / 0.5 + 8.5)) = 15
            assertEquals(0, q[2] & 0xF);
            assertEquals(15, (q[2 + 15] >>> 4) & 0xF);
        }
    }
}
