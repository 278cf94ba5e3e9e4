package io.minnow.model;

/**
 * Rotary position embedding as llama.cpp computes it. {@link Mode#NORM} rotates adjacent pairs (2i, 2i+1);
 * {@link Mode#NEOX} rotates (i, i + dims/2). Only the first {@code dims} dimensions of each head are rotated.
 * Optional per-pair frequency factors (Llama 3's {@code rope_freqs}, Phi-3's LongRoPE) divide the angle.
 */
public final class Rope {
    public enum Mode { NORM, NEOX }

    private final Mode mode;
    private final int dims;
    /** inverse frequency of pair i: base^(-2i/dims) / factor[i]. [dims/2] */
    private final double[] invFreq;
    private final float positionScale;

    public Rope(Mode mode, int dims, float base, float[] freqFactors, float linearScale) {
        this.mode = mode;
        this.dims = dims;
        this.invFreq = new double[dims / 2];
        for (int i = 0; i < dims / 2; i++) {
            double f = Math.pow(base, -2.0 * i / dims);
            invFreq[i] = freqFactors == null ? f : f / freqFactors[i];
        }
        this.positionScale = 1f / linearScale;
    }

    /** Angles' cos/sin for one position, written to cs[0..dims) as (cos, sin) pairs. */
    public void angles(int pos, float[] cs) {
        double p = pos * (double) positionScale;
        for (int i = 0; i < dims / 2; i++) {
            double t = p * invFreq[i];
            cs[2 * i] = (float) Math.cos(t);
            cs[2 * i + 1] = (float) Math.sin(t);
        }
    }

    /** Rotates {@code heads} heads of {@code headDim} starting at {@code off}, with angles from {@link #angles}. */
    public void apply(float[] v, int off, int heads, int headDim, float[] cs) {
        int half = dims / 2;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < half; i++) {
                int a = mode == Mode.NORM ? base + 2 * i : base + i;
                int b = mode == Mode.NORM ? a + 1 : a + half;
                float c = cs[2 * i], s = cs[2 * i + 1];
                float x0 = v[a], x1 = v[b];
                v[a] = x0 * c - x1 * s;
                v[b] = x0 * s + x1 * c;
            }
        }
    }

    public int dims() {
        return dims;
    }
}
