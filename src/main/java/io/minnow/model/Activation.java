package io.minnow.model;

/** Element-wise activations used by the feed-forward layers. */
public final class Activation {
    private Activation() {}

    private static final float SQRT_2_OVER_PI = 0.7978845608028654f;
    private static final float GELU_COEF_A = 0.044715f;

    public static float silu(float x) {
        return x / (1f + (float) Math.exp(-x));
    }

    /** GELU, tanh approximation, evaluated exactly in float. */
    public static float gelu(float x) {
        return 0.5f * x * (1f + (float) Math.tanh(SQRT_2_OVER_PI * x * (1f + GELU_COEF_A * x * x)));
    }

    /** a[i] = silu(a[i]) * b[i] for n elements. */
    public static void swiglu(float[] a, int aOff, float[] b, int bOff, int n) {
        for (int i = 0; i < n; i++) {
            a[aOff + i] = silu(a[aOff + i]) * b[bOff + i];
        }
    }

    /** a[i] = gelu(a[i]) * b[i] for n elements. */
    public static void geglu(float[] a, int aOff, float[] b, int bOff, int n) {
        for (int i = 0; i < n; i++) {
            a[aOff + i] = gelu(a[aOff + i]) * b[bOff + i];
        }
    }

    /** x = cap * tanh(x / cap). */
    public static float softcap(float x, float cap) {
        return cap * (float) Math.tanh(x / cap);
    }
}
