package io.minnow.tensor;

import io.minnow.gguf.GGMLType;
import io.minnow.gguf.TensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Test-side tensor builder and an independent float64 dequantizer written from ggml's block layouts, element by
 * element (it shares no code with the kernels).
 */
final class TensorFixtures {
    private TensorFixtures() {}

    /** Random bytes for {@code rows x cols} of {@code type}, with every f16 scale field set to a sane value. */
    static byte[] randomBytes(GGMLType type, long rows, int cols, Random rnd) {
        int n = (int) (type.byteSize((long) cols) * rows);
        byte[] b = new byte[n];
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i += 4) {
                    bb.putFloat(i, (float) rnd.nextGaussian());
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i += 2) {
                    // Mostly normal halves, some subnormal ones and signed zeros.
                    float v = switch (rnd.nextInt(10)) {
                        case 0 -> (float) (rnd.nextGaussian() * 3e-6);
                        case 1 -> rnd.nextBoolean() ? 0f : -0f;
                        default -> (float) (rnd.nextGaussian() * (rnd.nextBoolean() ? 1 : 300));
                    };
                    bb.putShort(i, Float.floatToFloat16(v));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i += 2) {
                    bb.putShort(i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16));
                }
            }
            default -> {
                rnd.nextBytes(b);
                for (int o = 0; o < n; o += type.typeSize) {
                    switch (type) {
                        case Q4_0, Q5_0, Q8_0 -> putHalf(bb, o, scale(rnd));
                        case Q4_1, Q5_1 -> {
                            putHalf(bb, o, scale(rnd));
                            putHalf(bb, o + 2, (float) rnd.nextGaussian() * 0.1f);
                        }
                        case Q4_K, Q5_K -> {
                            putHalf(bb, o, Math.abs(scale(rnd)) / 32);
                            putHalf(bb, o + 2, Math.abs(scale(rnd)) / 64);
                        }
                        case Q6_K -> putHalf(bb, o + 208, scale(rnd) / 64);
                        default -> throw new IllegalArgumentException(type.toString());
                    }
                }
            }
        }
        return b;
    }

    private static float scale(Random rnd) {
        return (float) ((0.002 + rnd.nextDouble() * 0.05) * (rnd.nextBoolean() ? 1 : -1));
    }

    private static void putHalf(ByteBuffer bb, int off, float v) {
        bb.putShort(off, Float.floatToFloat16(v));
    }

    /** The bytes in native (off-heap) memory, as the mapped file would be, wrapped by {@link Tensor#of}. */
    static Tensor tensor(GGMLType type, long rows, int cols, byte[] bytes, Arena arena) {
        MemorySegment seg = arena.allocate(bytes.length + 1L, 1).asSlice(1, bytes.length); // deliberately unaligned
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return Tensor.of(new TensorInfo("t", new long[] {cols, rows}, type, 0, seg));
    }

    static float[] randomFloats(int n, Random rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** Row {@code row} of the tensor, dequantized in float64 from the layout. */
    static double[] dequantize(GGMLType type, byte[] bytes, long row, int cols) {
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int rowBytes = (int) type.byteSize(cols);
        int base = (int) (row * rowBytes);
        double[] y = new double[cols];
        for (int i = 0; i < cols; i++) {
            int b = base + i / type.blockSize * type.typeSize; // block start
            int e = i % type.blockSize; // element within the block
            y[i] = switch (type) {
                case F32 -> bb.getFloat(base + 4 * i);
                case F16 -> Float.float16ToFloat(bb.getShort(base + 2 * i));
                case BF16 -> Float.intBitsToFloat((bb.getShort(base + 2 * i) & 0xFFFF) << 16);
                case Q8_0 -> half(bb, b) * bb.get(b + 2 + e);
                case Q4_0 -> half(bb, b) * (nibble(bb, b + 2, e) - 8);
                case Q4_1 -> half(bb, b) * nibble(bb, b + 4, e) + half(bb, b + 2);
                case Q5_0 -> half(bb, b) * (nibble(bb, b + 6, e) + 16 * bit(bb.getInt(b + 2), e) - 16);
                case Q5_1 -> half(bb, b) * (nibble(bb, b + 8, e) + 16 * bit(bb.getInt(b + 4), e)) + half(bb, b + 2);
                case Q4_K, Q5_K -> {
                    int sub = e / 32; // sub-block 0..7
                    int group = e / 64, l = e % 32;
                    boolean high = (e % 64) >= 32;
                    int qsOff = type == GGMLType.Q4_K ? 16 : 48;
                    int v = u8(bb, b + qsOff + 32 * group + l);
                    int q = high ? v >> 4 : v & 15;
                    if (type == GGMLType.Q5_K) {
                        q += 16 * ((u8(bb, b + 16 + l) >> (2 * group + (high ? 1 : 0))) & 1);
                    }
                    int[] sm = scaleMin(bb, b + 4, sub);
                    yield half(bb, b) * sm[0] * q - half(bb, b + 2) * sm[1];
                }
                case Q6_K -> {
                    int h = e / 128, r = e % 128, k = r / 32, l = r % 32;
                    int v = u8(bb, b + 64 * h + l + (k % 2 == 1 ? 32 : 0));
                    int lo = k >= 2 ? v >> 4 : v & 15;
                    int hi = (u8(bb, b + 128 + 32 * h + l) >> (2 * k)) & 3;
                    int sc = bb.get(b + 192 + 8 * h + l / 16 + 2 * k);
                    yield half(bb, b + 208) * sc * ((lo | hi << 4) - 32);
                }
                default -> throw new IllegalArgumentException(type.toString());
            };
        }
        return y;
    }

    private static double half(ByteBuffer bb, int off) {
        return Float.float16ToFloat(bb.getShort(off));
    }

    private static int u8(ByteBuffer bb, int off) {
        return bb.get(off) & 0xFF;
    }

    /** 4-bit quant of element e (0..31) of a 32-block whose 16 nibble bytes start at off. */
    private static int nibble(ByteBuffer bb, int off, int e) {
        int v = u8(bb, off + e % 16);
        return e < 16 ? v & 15 : v >> 4;
    }

    private static int bit(int word, int e) {
        return (word >>> e) & 1;
    }

    /** The 6-bit scale and min of sub-block j from the 12 packed bytes at off. */
    private static int[] scaleMin(ByteBuffer bb, int off, int j) {
        int[] s = new int[12];
        for (int i = 0; i < 12; i++) {
            s[i] = u8(bb, off + i);
        }
        if (j < 4) {
            return new int[] {s[j] & 63, s[j + 4] & 63};
        }
        return new int[] {(s[j + 4] & 15) | (s[j - 4] >> 6) << 4, (s[j + 4] >> 4) | (s[j] >> 6) << 4};
    }
}
