package io.minnow.model;

import io.minnow.tensor.Parallel;
import io.minnow.tensor.Tensor;

/** A weight matrix with an optional bias: y = W x + b for every activation row. */
public record Linear(Tensor weight, float[] bias) {

    public int in() {
        return weight.cols();
    }

    public int out() {
        return (int) weight.rows();
    }

    /** out[b][0..out) = W x[b] + bias for b < batch; x is [batch][in], out is [batch][out]. */
    public void apply(Parallel pool, float[] x, int batch, float[] out) {
        weight.matmul(pool, x, batch, out, out());
        addBias(batch, out);
    }

    /** {@link #apply} of several linears to the same x in one pass of the pool (e.g. q, k and v; gate and up). */
    public static void applyAll(Parallel pool, float[] x, int batch, Linear[] ls, float[][] outs) {
        Tensor[] ts = new Tensor[ls.length];
        for (int i = 0; i < ls.length; i++) ts[i] = ls[i].weight;
        Tensor.matmulAll(pool, x, batch, ts, outs);
        for (int i = 0; i < ls.length; i++) ls[i].addBias(batch, outs[i]);
    }

    private void addBias(int batch, float[] out) {
        if (bias != null) {
            int n = out();
            for (int b = 0; b < batch; b++) {
                VectorMath.add(bias, 0, out, b * n, n);
            }
        }
    }
}
