package io.minnow.model;

import io.minnow.tensor.VectorConfig;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Float-array primitives for attention and residual adds, vectorized with a scalar tail. */
public final class VectorMath {
    private VectorMath() {}

    private static final VectorSpecies<Float> S = VectorConfig.F_SPECIES;

    /** Σ a[aOff+i] * b[bOff+i], i < n. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float sum = 0f;
        if (VectorConfig.ENABLED && n >= S.length()) {
            FloatVector acc = FloatVector.zero(S);
            int upper = S.loopBound(n);
            for (; i < upper; i += S.length()) {
                acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** y[yOff+i] += alpha * x[xOff+i], i < n. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        if (VectorConfig.ENABLED && n >= S.length()) {
            FloatVector va = FloatVector.broadcast(S, alpha);
            int upper = S.loopBound(n);
            for (; i < upper; i += S.length()) {
                FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    /** y[i] += x[i] for n elements. */
    public static void add(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }
}
