package io.minnow.tensor;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minnow.gguf.GGMLType;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every format against the float64 reference: dequantization, scalar and vector dot products, matmul. */
class TensorKernelTest {
    private static final int ROWS = 6;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (GGMLType t : List.of(GGMLType.F32, GGMLType.F16, GGMLType.BF16)) {
            for (int cols : new int[] {1, 7, 64, 100, 257}) {
                cases.add(Arguments.of(t, cols));
            }
        }
        for (GGMLType t : List.of(GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_1, GGMLType.Q5_0, GGMLType.Q5_1,
                GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K)) {
            for (int blocks : new int[] {1, 3, 9}) {
                cases.add(Arguments.of(t, blocks * t.blockSize));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("cases")
    void dequantizeMatchesReference(GGMLType type, int cols) {
        Random rnd = new Random(type.ordinal() * 1000L + cols);
        byte[] bytes = TensorFixtures.randomBytes(type, ROWS, cols, rnd);
        try (Arena arena = Arena.ofShared()) {
            Tensor t = TensorFixtures.tensor(type, ROWS, cols, bytes, arena);
            assertEquals(type, t.type());
            assertEquals(ROWS, t.rows());
            assertEquals(cols, t.cols());
            float[] out = new float[cols + 3];
            for (int r = 0; r < ROWS; r++) {
                double[] ref = TensorFixtures.dequantize(type, bytes, r, cols);
                Arrays.fill(out, Float.NaN);
                t.dequantizeRow(r, out, 2);
                double max = 0;
                for (double v : ref) {
                    max = Math.max(max, Math.abs(v));
                }
                boolean exact = type == GGMLType.F32 || type == GGMLType.F16 || type == GGMLType.BF16;
                for (int i = 0; i < cols; i++) {
                    double tol = exact ? 0 : 2e-6 * max;
                    assertTrue(Math.abs(out[2 + i] - ref[i]) <= tol,
                            type + " row " + r + " element " + i + ": " + out[2 + i] + " vs " + ref[i]);
                }
                assertTrue(Float.isNaN(out[0]) && Float.isNaN(out[1]) && Float.isNaN(out[cols + 2]),
                        "wrote outside its range");
                // The Vector API decoder of the batched path gives the same floats, bit for bit.
                float[] vec = new float[cols + 3];
                Arrays.fill(vec, Float.NaN);
                t.dequantizeRowVector(r, vec, 2);
                assertTrue(Arrays.equals(out, vec), type + " row " + r + ": dequantizeRowVector differs");
            }
        }
    }

    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("cases")
    void dotProductsMatchReference(GGMLType type, int cols) {
        Random rnd = new Random(type.ordinal() * 7919L + cols);
        byte[] bytes = TensorFixtures.randomBytes(type, ROWS, cols, rnd);
        int xOff = 5; // activations need not start at 0
        float[] x = TensorFixtures.randomFloats(cols + xOff, rnd);
        try (Arena arena = Arena.ofShared()) {
            Tensor t = TensorFixtures.tensor(type, ROWS, cols, bytes, arena);
            for (int r = 0; r < ROWS; r++) {
                double[] w = TensorFixtures.dequantize(type, bytes, r, cols);
                double ref = 0, abs = 0;
                for (int i = 0; i < cols; i++) {
                    ref += w[i] * x[xOff + i];
                    abs += Math.abs(w[i] * x[xOff + i]);
                }
                double tol = 1e-5 * abs + 1e-30;
                float s = t.dotScalar(r, x, xOff);
                float v = t.dotVector(r, x, xOff);
                assertEquals(ref, s, tol, type + " scalar row " + r);
                assertEquals(ref, v, tol, type + " vector row " + r);
                assertEquals(s, v, tol, type + " vector vs scalar row " + r);
                // dot() takes the chosen path. Equal up to the last bits only: while a kernel is still interpreted the
                // Vector API sums a vector's lanes in order, and once compiled C2 sums them pairwise.
                float chosen = VectorConfig.ENABLED ? v : s;
                assertEquals(chosen, t.dot(r, x, xOff), 4 * Math.ulp(chosen), type + " dot() row " + r);
            }
        }
    }

    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("cases")
    void matmulMatchesRowDots(GGMLType type, int cols) {
        Random rnd = new Random(type.ordinal() * 31L + cols);
        int rows = 13;
        byte[] bytes = TensorFixtures.randomBytes(type, rows, cols, rnd);
        try (Arena arena = Arena.ofShared()) {
            Tensor t = TensorFixtures.tensor(type, rows, cols, bytes, arena);
            for (int threads = 1; threads <= 3; threads++) {
                try (Parallel pool = new Parallel(threads)) {
                    for (int batch : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}) {
                        float[] x = TensorFixtures.randomFloats(batch * cols, rnd);
                        int stride = rows + 2;
                        float[] out = new float[batch * stride];
                        Arrays.fill(out, -7f);
                        t.matmul(pool, x, batch, out, stride);
                        for (int b = 0; b < batch; b++) {
                            for (int r = 0; r < rows; r++) {
                                // Lane reductions may add in another order once JIT-compiled: not bit-exact.
                                assertEquals(t.dot(r, x, b * cols), out[b * stride + r], tolerance(t, r, x, b * cols),
                                        type + " threads " + threads + " batch " + b + " row " + r);
                            }
                            assertEquals(-7f, out[b * stride + rows]);
                            assertEquals(-7f, out[b * stride + rows + 1]);
                        }
                        // The offset variant writes the same values shifted.
                        float[] shifted = new float[batch * stride + 3];
                        t.matmul(pool, x, batch, shifted, stride, 3);
                        for (int b = 0; b < batch; b++) {
                            for (int r = 0; r < rows; r++) {
                                assertEquals(out[b * stride + r], shifted[3 + b * stride + r], tolerance(t, r, x, b * cols));
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The tiled prompt-processing path ({@link Batched}: weight tiles dequantized once, 4 x 4 register tiles,
     * row and batch remainders) against the per-row dot product, for every batch size from 1 to 9, called
     * directly and through {@link Tensor#matmul}.
     */
    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("cases")
    void batchedMatmulMatchesRowDots(GGMLType type, int cols) {
        Random rnd = new Random(type.ordinal() * 131L + cols);
        // 11 rows: a quad kernel's range is 2 spread quads and 3 rows left over; 26: 6 quads, 2 left over
        for (int rows : new int[] {11, 26}) {
            batchedMatmulMatchesRowDots(type, cols, rows, rnd);
        }
    }

    private static void batchedMatmulMatchesRowDots(GGMLType type, int cols, int rows, Random rnd) {
        byte[] bytes = TensorFixtures.randomBytes(type, rows, cols, rnd);
        try (Arena arena = Arena.ofShared(); Parallel pool = new Parallel(2)) {
            Tensor t = TensorFixtures.tensor(type, rows, cols, bytes, arena);
            for (int batch = 1; batch <= 9; batch++) {
                float[] x = TensorFixtures.randomFloats(batch * cols, rnd);
                int stride = rows + 1;
                float[] direct = new float[batch * stride + 2];
                float[] pooled = new float[batch * stride + 2];
                Arrays.fill(direct, -7f);
                Arrays.fill(pooled, -7f);
                Batched.matmulRows(t, x, batch, direct, stride, 2, 0, 5); // a partial tile at the end
                Batched.matmulRows(t, x, batch, direct, stride, 2, 5, rows);
                t.matmul(pool, x, batch, pooled, stride, 2);
                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < rows; r++) {
                        double tol = tolerance(t, r, x, b * cols);
                        float want = t.dot(r, x, b * cols);
                        assertEquals(want, direct[2 + b * stride + r], tol, type + " rows " + rows + " batch " + batch
                                + " b " + b + " row " + r);
                        assertEquals(want, pooled[2 + b * stride + r], tol, type + " rows " + rows + " matmul batch "
                                + batch + " b " + b
                                + " row " + r);
                    }
                    assertEquals(-7f, direct[2 + b * stride + rows]);
                    assertEquals(-7f, pooled[2 + b * stride + rows]);
                }
                assertEquals(-7f, direct[0]);
                assertEquals(-7f, pooled[1]);
            }
        }
    }

    /**
     * The fused small-batch path computes a row the same way whether it falls in a pair of rows or alone (how the
     * rows are split between threads decides which), for 1, 2 and 3 threads, and up to 8 activation rows where the
     * format has pairs for 8 (a row alone then takes two 4-row calls). Equal up to the last bits of the final
     * lane reduction, whose order differs between interpreted and compiled kernels.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hotCases")
    void fusedRowsDoNotDependOnTheThreadSplit(GGMLType type) {
        Random rnd = new Random(type.ordinal() * 7L + 3);
        int rows = 11, cols = 512;
        try (Arena arena = Arena.ofShared()) {
            Tensor t = TensorFixtures.tensor(type, rows, cols, TensorFixtures.randomBytes(type, rows, cols, rnd), arena);
            boolean eight = t.hasFusedRowPairs8() || t.hasFusedRowQuads();
            for (int batch = 2; batch <= (eight ? 8 : Tensor.FUSED_MAX); batch++) {
                float[] x = TensorFixtures.randomFloats(batch * cols, rnd);
                float[] first = null;
                for (int threads = 1; threads <= 3; threads++) {
                    try (Parallel pool = new Parallel(threads)) {
                        float[] out = new float[batch * rows];
                        // odd row ranges: row 0 alone, then pairs (1,2), (3,4)...; then pairs from row 0
                        t.matmul(pool, x, batch, out, rows);
                        float[] split = new float[batch * rows];
                        t.matmulRows(x, null, batch, split, rows, 0, 0, 1);
                        t.matmulRows(x, null, batch, split, rows, 0, 1, rows);
                        float max = 0;
                        for (float v : out) max = Math.max(max, Math.abs(v));
                        assertArrayEquals(out, split, 4 * Math.ulp(max), type + " batch " + batch + " threads " + threads);
                        if (first == null) {
                            first = out;
                        } else {
                            assertArrayEquals(first, out, 4 * Math.ulp(max), type + " batch " + batch + " threads " + threads);
                        }
                    }
                }
            }
        }
    }

    /**
     * Several matrices in one pool pass (q/k/v, gate/up): every output equals the matrix's own matmul, whatever
     * chunk boundaries fall across the matrices, for single rows, fused small batches and tiled batches. Equal up to
     * the last bits of a lane reduction, whose order differs between interpreted and compiled kernels.
     */
    @Test
    void matmulAllEqualsEachMatmul() {
        try (Arena arena = Arena.ofShared(); Parallel pool = new Parallel(3)) {
            Tensor[] ts = matmulAllMatchesEach(pool, arena, new Random(97), 64, new int[] {37, 5, 130},
                    new GGMLType[] {GGMLType.Q4_0, GGMLType.Q8_0, GGMLType.F16});
            Tensor[] mixed = {ts[0], TensorFixtures.tensor(GGMLType.F32, 3, 32, new byte[3 * 32 * 4], arena)};
            assertThrows(IllegalArgumentException.class, () -> Tensor.matmulAll(pool, new float[64], 1, mixed,
                    new float[][] {new float[37], new float[3]}), "different row lengths");
        }
    }

    /**
     * The same with K-quant matrices, whose batches of 2 read decode inputs built once per pass: two neighbours of
     * one format share them, and a later matrix of that format after another format rebuilds the same ones.
     */
    @Test
    void matmulAllEqualsEachMatmulForKQuants() {
        try (Arena arena = Arena.ofShared(); Parallel pool = new Parallel(3)) {
            matmulAllMatchesEach(pool, arena, new Random(98), 512, new int[] {37, 5, 130, 9},
                    new GGMLType[] {GGMLType.Q4_K, GGMLType.Q4_K, GGMLType.Q6_K, GGMLType.Q4_K});
        }
    }

    private static Tensor[] matmulAllMatchesEach(Parallel pool, Arena arena, Random rnd, int cols, int[] rows,
            GGMLType[] types) {
        Tensor[] ts = new Tensor[rows.length];
        for (int i = 0; i < rows.length; i++) {
            ts[i] = TensorFixtures.tensor(types[i], rows[i], cols, TensorFixtures.randomBytes(types[i], rows[i], cols, rnd), arena);
        }
        for (int batch : new int[] {1, 2, 3, 4, 7}) {
            float[] x = TensorFixtures.randomFloats(batch * cols, rnd);
            float[][] all = new float[rows.length][];
            for (int i = 0; i < rows.length; i++) all[i] = new float[batch * rows[i]];
            Tensor.matmulAll(pool, x, batch, ts, all);
            for (int i = 0; i < rows.length; i++) {
                float[] one = new float[batch * rows[i]];
                ts[i].matmul(pool, x, batch, one, rows[i]);
                float max = 0;
                for (float v : one) max = Math.max(max, Math.abs(v));
                assertArrayEquals(one, all[i], 16 * Math.ulp(max), types[i] + " matrix " + i + " batch " + batch);
            }
        }
        return ts;
    }

    /** The kernels once JIT-compiled (the Vector API intrinsics) against the interpreted scalar reference. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hotCases")
    void compiledKernelsAgree(GGMLType type) {
        int cols = type.blockSize == 1 ? 263 : 2 * Math.max(type.blockSize, 32) * (type.blockSize == 32 ? 4 : 1);
        Random rnd = new Random(type.ordinal());
        byte[] bytes = TensorFixtures.randomBytes(type, ROWS, cols, rnd);
        float[] x = TensorFixtures.randomFloats(cols, rnd);
        try (Arena arena = Arena.ofShared()) {
            Tensor t = TensorFixtures.tensor(type, ROWS, cols, bytes, arena);
            double[] ref = new double[ROWS];
            for (int r = 0; r < ROWS; r++) {
                double[] w = TensorFixtures.dequantize(type, bytes, r, cols);
                for (int i = 0; i < cols; i++) {
                    ref[r] += w[i] * x[i];
                }
            }
            float[] scalarRow = new float[cols], vectorRow = new float[cols];
            for (int iter = 0; iter < 4000; iter++) {
                int r = iter % ROWS;
                t.dequantizeRow(r, scalarRow, 0);
                t.dequantizeRowVector(r, vectorRow, 0);
                if (!Arrays.equals(scalarRow, vectorRow)) {
                    assertTrue(false, type + " compiled dequantizeRowVector differs, iteration " + iter);
                }
                float v = t.dotVector(r, x, 0);
                float s = t.dotScalar(r, x, 0);
                double tol = tolerance(t, r, x, 0);
                if (Math.abs(v - ref[r]) > tol || Math.abs(s - ref[r]) > tol) {
                    assertEquals(ref[r], v, tol, type + " vector, iteration " + iter);
                    assertEquals(ref[r], s, tol, type + " scalar, iteration " + iter);
                }
            }
        }
    }

    static Stream<GGMLType> hotCases() {
        return Stream.of(GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_1,
                GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K);
    }

    /** 1e-5 of the sum of |w*x| over the row. */
    private static double tolerance(Tensor t, int row, float[] x, int xOff) {
        float[] w = new float[t.cols()];
        t.dequantizeRow(row, w, 0);
        double abs = 0;
        for (int i = 0; i < w.length; i++) {
            abs += Math.abs((double) w[i] * x[xOff + i]);
        }
        return 1e-5 * abs + 1e-30;
    }
}
