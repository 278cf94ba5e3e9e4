package io.minnow.tensor;

import io.minnow.gguf.GGMLType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;

/**
 * Float rows to the bytes of a GGUF format, with the reference quantizers of the format classes (each mirrors
 * ggml's {@code quantize_row_*_ref}). Rows are independent, so callers may quantize rows in parallel.
 */
public final class Quantizer {
    private Quantizer() {}

    /** The formats this class can write. */
    public static final Set<GGMLType> TYPES = Set.of(GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0,
            GGMLType.Q4_0, GGMLType.Q5_0, GGMLType.Q4_K, GGMLType.Q6_K);

    /** Writes {@code n} values of {@code src[srcOff..]} (a multiple of the block size) to {@code dst[dstOff..]}. */
    public static void quantizeRow(GGMLType type, float[] src, int srcOff, int n, byte[] dst, int dstOff) {
        if (n % type.blockSize != 0) {
            throw new IllegalArgumentException(type + " needs a multiple of " + type.blockSize + " values, got " + n);
        }
        switch (type) {
            case F32 -> ByteBuffer.wrap(dst, dstOff, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(src, srcOff, n);
            case F16 -> {
                for (int i = 0; i < n; i++) QuantMath.putF16(dst, dstOff + 2 * i, src[srcOff + i]);
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    short h = bf16(src[srcOff + i]);
                    dst[dstOff + 2 * i] = (byte) h;
                    dst[dstOff + 2 * i + 1] = (byte) (h >> 8);
                }
            }
            case Q8_0 -> Q8_0Tensor.quantizeRow(src, srcOff, n, dst, dstOff);
            case Q4_0 -> Q4_0Tensor.quantizeRow(src, srcOff, n, dst, dstOff);
            case Q5_0 -> Q5_0Tensor.quantizeRow(src, srcOff, n, dst, dstOff);
            case Q4_K -> Q4_KTensor.quantizeRow(src, srcOff, n, dst, dstOff);
            case Q6_K -> Q6_KTensor.quantizeRow(src, srcOff, n, dst, dstOff);
            default -> throw new IllegalArgumentException("cannot quantize to " + type + " (supported: " + TYPES + ")");
        }
    }

    /** {@code rows x cols} values to a new byte array in {@code type}'s layout. */
    public static byte[] quantize(GGMLType type, float[] src, int rows, int cols) {
        long bytes = type.byteSize(cols) * (long) rows;
        if (bytes > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("tensor too large: " + bytes + " bytes");
        byte[] dst = new byte[(int) bytes];
        int rb = (int) type.byteSize(cols);
        java.util.stream.IntStream.range(0, rows).parallel()
                .forEach(r -> quantizeRow(type, src, r * cols, cols, dst, r * rb));
        return dst;
    }

    /** float to bfloat16, round to nearest even (NaN stays NaN), as ggml's GGML_FP32_TO_BF16. */
    static short bf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 64);
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }
}
