package io.minnow.model;

import io.minnow.tensor.VectorConfig;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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

    /**
     * GELU as llama.cpp's CPU backend evaluates it: through a half-precision table (the input rounded to FP16,
     * the result stored as FP16), exact below -10 and above 10.
     */
    public static float geluF16(float x) {
        if (x <= -10f) return 0f;
        if (x >= 10f) return x;
        float h = Float.float16ToFloat(Float.floatToFloat16(x));
        return Float.float16ToFloat(Float.floatToFloat16(gelu(h)));
    }

    /**
     * a[i] = silu(a[i]) * b[i] for n elements. On the Vector API path the exponential is the JDK's vector {@code exp}
     * (within a few ulps of {@link Math#exp}): a batch of rows passes through here on one thread between the gate/up
     * and down matmuls, and the scalar {@code exp} took about 5% of an 8-sequence decoding step.
     */
    public static void swiglu(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        if (VectorConfig.ENABLED) {
            VectorSpecies<Float> sp = VectorConfig.F_SPECIES;
            for (int bound = sp.loopBound(n); i < bound; i += sp.length()) {
                FloatVector x = FloatVector.fromArray(sp, a, aOff + i);
                x.div(x.neg().lanewise(VectorOperators.EXP).add(1f)).mul(FloatVector.fromArray(sp, b, bOff + i))
                        .intoArray(a, aOff + i);
            }
        }
        for (; i < n; i++) {
            a[aOff + i] = silu(a[aOff + i]) * b[bOff + i];
        }
    }

    /** a[i] = gelu(a[i]) * b[i] for n elements (llama.cpp's FP16-table GELU). */
    public static void geglu(float[] a, int aOff, float[] b, int bOff, int n) {
        for (int i = 0; i < n; i++) {
            a[aOff + i] = geluF16(a[aOff + i]) * b[bOff + i];
        }
    }

    /** a[i] = gelu(a[i]) in place (llama.cpp's FP16-table GELU). */
    public static void gelu(float[] a, int off, int n) {
        for (int i = 0; i < n; i++) {
            a[off + i] = geluF16(a[off + i]);
        }
    }

    /** x = cap * tanh(x / cap). */
    public static float softcap(float x, float cap) {
        return cap * (float) Math.tanh(x / cap);
    }
}
