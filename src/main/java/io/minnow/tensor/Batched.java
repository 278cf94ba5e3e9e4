package io.minnow.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batched matmul of prompt processing, shared by every format: a tile of {@value #TR} weight rows is
 * dequantized once (exactly, by the format's {@link Tensor#dequantizeRowsForBatch}) into a per-thread float
 * buffer and then multiplied against the activation rows {@value #TB} at a time, with {@code TR x TB} vector
 * accumulators: per step {@code TR + TB} loads feed {@code TR * TB} fused multiply-adds, and the decoding cost is
 * spread over the whole batch.
 *
 * <p>Each output is a float32 dot product of the exactly dequantized weights with the activations, as the
 * per-row path computes it; only the order of the additions differs.
 */
final class Batched {
    private Batched() {}

    /** Weight rows per tile. */
    static final int TR = 4;
    /** Activation rows per tile. */
    static final int TB = 4;

    private static final VectorSpecies<Float> F = VectorConfig.F_SPECIES;
    private static final int L = F.length();

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] scratch(int n) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < n) {
            holder[0] = new float[n];
        }
        return holder[0];
    }

    /** Weight rows {@code [start, end)} against all {@code batch} activation rows (see {@link Tensor#matmul}). */
    static void matmulRows(Tensor t, float[] x, int batch, float[] out, int outStride, int outOffset, int start,
            int end) {
        int cols = t.cols();
        float[] w = scratch(TR * cols);
        for (int r0 = start; r0 < end; r0 += TR) {
            int nr = Math.min(TR, end - r0);
            t.dequantizeRowsForBatch(r0, nr, w);
            if (nr == TR) {
                int b = 0;
                for (; b + TB <= batch; b += TB) {
                    tile4x4(w, cols, x, b * cols, out, outOffset + b * outStride + r0, outStride);
                }
                for (; b < batch; b++) {
                    tile4x1(w, cols, x, b * cols, out, outOffset + b * outStride + r0);
                }
            } else {
                for (int i = 0; i < nr; i++) {
                    for (int b = 0; b < batch; b++) {
                        out[outOffset + b * outStride + r0 + i] = dot(w, i * cols, x, b * cols, cols);
                    }
                }
            }
        }
    }

    private static void tile4x4(float[] w, int cols, float[] x, int xo, float[] out, int oo, int os) {
        int w1 = cols, w2 = 2 * cols, w3 = 3 * cols;
        int x1 = xo + cols, x2 = xo + 2 * cols, x3 = xo + 3 * cols;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int bound = F.loopBound(cols);
        int k = 0;
        for (; k < bound; k += L) {
            FloatVector v0 = FloatVector.fromArray(F, w, k);
            FloatVector v1 = FloatVector.fromArray(F, w, w1 + k);
            FloatVector v2 = FloatVector.fromArray(F, w, w2 + k);
            FloatVector v3 = FloatVector.fromArray(F, w, w3 + k);
            FloatVector y = FloatVector.fromArray(F, x, xo + k);
            a00 = v0.fma(y, a00);
            a10 = v1.fma(y, a10);
            a20 = v2.fma(y, a20);
            a30 = v3.fma(y, a30);
            y = FloatVector.fromArray(F, x, x1 + k);
            a01 = v0.fma(y, a01);
            a11 = v1.fma(y, a11);
            a21 = v2.fma(y, a21);
            a31 = v3.fma(y, a31);
            y = FloatVector.fromArray(F, x, x2 + k);
            a02 = v0.fma(y, a02);
            a12 = v1.fma(y, a12);
            a22 = v2.fma(y, a22);
            a32 = v3.fma(y, a32);
            y = FloatVector.fromArray(F, x, x3 + k);
            a03 = v0.fma(y, a03);
            a13 = v1.fma(y, a13);
            a23 = v2.fma(y, a23);
            a33 = v3.fma(y, a33);
        }
        int x0 = xo;
        out[oo] = a00.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x0, k, cols);
        out[oo + 1] = a10.reduceLanes(VectorOperators.ADD) + tail(w, w1, x, x0, k, cols);
        out[oo + 2] = a20.reduceLanes(VectorOperators.ADD) + tail(w, w2, x, x0, k, cols);
        out[oo + 3] = a30.reduceLanes(VectorOperators.ADD) + tail(w, w3, x, x0, k, cols);
        oo += os;
        out[oo] = a01.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x1, k, cols);
        out[oo + 1] = a11.reduceLanes(VectorOperators.ADD) + tail(w, w1, x, x1, k, cols);
        out[oo + 2] = a21.reduceLanes(VectorOperators.ADD) + tail(w, w2, x, x1, k, cols);
        out[oo + 3] = a31.reduceLanes(VectorOperators.ADD) + tail(w, w3, x, x1, k, cols);
        oo += os;
        out[oo] = a02.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x2, k, cols);
        out[oo + 1] = a12.reduceLanes(VectorOperators.ADD) + tail(w, w1, x, x2, k, cols);
        out[oo + 2] = a22.reduceLanes(VectorOperators.ADD) + tail(w, w2, x, x2, k, cols);
        out[oo + 3] = a32.reduceLanes(VectorOperators.ADD) + tail(w, w3, x, x2, k, cols);
        oo += os;
        out[oo] = a03.reduceLanes(VectorOperators.ADD) + tail(w, 0, x, x3, k, cols);
        out[oo + 1] = a13.reduceLanes(VectorOperators.ADD) + tail(w, w1, x, x3, k, cols);
        out[oo + 2] = a23.reduceLanes(VectorOperators.ADD) + tail(w, w2, x, x3, k, cols);
        out[oo + 3] = a33.reduceLanes(VectorOperators.ADD) + tail(w, w3, x, x3, k, cols);
    }

    /** The scalar remainder {@code [k, cols)} of a dot product (0 when the row is a whole number of vectors). */
    private static float tail(float[] w, int wo, float[] x, int xo, int k, int cols) {
        float s = 0f;
        for (; k < cols; k++) {
            s += w[wo + k] * x[xo + k];
        }
        return s;
    }

    private static void tile4x1(float[] w, int cols, float[] x, int xo, float[] out, int oo) {
        int w1 = cols, w2 = 2 * cols, w3 = 3 * cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int bound = F.loopBound(cols);
        int k = 0;
        for (; k < bound; k += L) {
            FloatVector y = FloatVector.fromArray(F, x, xo + k);
            a0 = FloatVector.fromArray(F, w, k).fma(y, a0);
            a1 = FloatVector.fromArray(F, w, w1 + k).fma(y, a1);
            a2 = FloatVector.fromArray(F, w, w2 + k).fma(y, a2);
            a3 = FloatVector.fromArray(F, w, w3 + k).fma(y, a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; k < cols; k++) {
            float y = x[xo + k];
            s0 += w[k] * y;
            s1 += w[w1 + k] * y;
            s2 += w[w2 + k] * y;
            s3 += w[w3 + k] * y;
        }
        out[oo] = s0;
        out[oo + 1] = s1;
        out[oo + 2] = s2;
        out[oo + 3] = s3;
    }

    private static float dot(float[] w, int wo, float[] x, int xo, int cols) {
        FloatVector a = FloatVector.zero(F);
        int bound = F.loopBound(cols);
        int k = 0;
        for (; k < bound; k += L) {
            a = FloatVector.fromArray(F, w, wo + k).fma(FloatVector.fromArray(F, x, xo + k), a);
        }
        float s = a.reduceLanes(VectorOperators.ADD);
        for (; k < cols; k++) {
            s += w[wo + k] * x[xo + k];
        }
        return s;
    }
}
