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

    /** Linears applied to the same x in one pass of the pool (e.g. q, k and v; gate and up); built once per layer. */
    public record Group(Linear[] parts, Tensor[] weights) {
        public static Group of(Linear... parts) {
            Tensor[] ws = new Tensor[parts.length];
            for (int i = 0; i < parts.length; i++) ws[i] = parts[i].weight;
            return new Group(parts, ws);
        }

        /** {@link Linear#apply} of every part, {@code outs[i]} for part i. */
        public void apply(Parallel pool, float[] x, int batch, float[][] outs) {
            Tensor.matmulAll(pool, x, batch, weights, outs);
            for (int i = 0; i < parts.length; i++) parts[i].addBias(batch, outs[i]);
        }
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
