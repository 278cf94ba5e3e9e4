package io.minnow.model;

/** Scratch buffers of one forward pass, sized for {@code capacity} tokens, reused across passes. */
public final class Workspace {
    public final int capacity;
    /** residual stream [capacity][nEmbd] */
    public final float[] x;
    /** normed input of a sub-layer [capacity][nEmbd] */
    public final float[] xb;
    /** sub-layer output before the residual add [capacity][max(nEmbd, nHead*headDimV)] */
    public final float[] xb2;
    /** second sub-layer output (parallel residual) [capacity][nEmbd] */
    public final float[] xb3;
    /** queries [capacity][maxHead * headDimK] (room for fused QKV: + 2 * maxHeadKv * max(headDimK, headDimV)) */
    public final float[] q;
    /** keys [capacity][maxHeadKv * headDimK] */
    public final float[] k;
    /** values [capacity][maxHeadKv * headDimV] */
    public final float[] v;
    /** attention output [capacity][maxHead * headDimV] */
    public final float[] att;
    /** FFN hidden [capacity][2 * maxFf] (room for fused gate/up) */
    public final float[] hb;
    /** FFN hidden [capacity][maxFf] */
    public final float[] hb2;
    /** RoPE cos/sin per token [capacity][headDimK] */
    public final float[][] cs;
    /** {q, k, v} and {hb, hb2}: the outputs of the grouped projections (Linear.Group) */
    public final float[][] qkvOut, gateUpOut;

    public Workspace(ModelConfig c, int capacity) {
        this.capacity = capacity;
        int hd = Math.max(c.headDimK, c.headDimV);
        int qkv = c.maxHead() * hd + 2 * c.maxHeadKv() * hd;
        x = new float[capacity * c.nEmbd];
        xb = new float[capacity * c.nEmbd];
        xb2 = new float[capacity * Math.max(c.nEmbd, qkv)];
        xb3 = new float[capacity * c.nEmbd];
        q = new float[capacity * qkv];
        k = new float[capacity * c.maxHeadKv() * c.headDimK];
        v = new float[capacity * c.maxHeadKv() * c.headDimV];
        att = new float[capacity * c.maxHead() * c.headDimV];
        hb = new float[capacity * 2 * c.maxFf()];
        hb2 = new float[capacity * c.maxFf()];
        cs = new float[capacity][c.headDimK];
        qkvOut = new float[][] {q, k, v};
        gateUpOut = new float[][] {hb, hb2};
    }
}
