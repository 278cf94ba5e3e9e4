package io.minnow.model;

/** Residual adds. */
public final class VectorMath {
    private VectorMath() {}

    /** y[i] += x[i] for n elements. */
    public static void add(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }
}
