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
        if (bias != null) {
            int n = out();
            for (int b = 0; b < batch; b++) {
                VectorMath.add(bias, 0, out, b * n, n);
            }
        }
    }
}
