package io.minnow.model;

/** RMSNorm and LayerNorm over one row. */
public final class Norm {
    private Norm() {}

    /** out = x / sqrt(mean(x^2) + eps) * w, over {@code n} elements. {@code w} may be null (no scale). */
    public static void rms(float[] x, int xOff, int n, float[] w, float eps, float[] out, int outOff) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            ss += v * v;
        }
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i] * scale;
            out[outOff + i] = w == null ? v : v * w[i];
        }
    }

    /** LayerNorm: out = (x - mean) / sqrt(var + eps) * w + b. {@code b} may be null. */
    public static void layer(float[] x, int xOff, int n, float[] w, float[] b, float eps, float[] out, int outOff) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[xOff + i];
        float mean = (float) (sum / n);
        double var = 0;
        for (int i = 0; i < n; i++) {
            float d = x[xOff + i] - mean;
            var += d * d;
        }
        float scale = (float) (1.0 / Math.sqrt(var / n + eps));
        for (int i = 0; i < n; i++) {
            float v = (x[xOff + i] - mean) * scale;
            v = w == null ? v : v * w[i];
            out[outOff + i] = b == null ? v : v + b[i];
        }
    }

    /** RMSNorm of each of {@code rows} consecutive rows of {@code n} elements, in place. */
    public static void rmsRows(float[] x, int off, int rows, int n, float[] w, float eps) {
        for (int r = 0; r < rows; r++) {
            rms(x, off + r * n, n, w, eps, x, off + r * n);
        }
    }
}
