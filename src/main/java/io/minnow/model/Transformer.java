package io.minnow.model;

import static io.minnow.gguf.Names.*;

import io.minnow.gguf.GGUFException;
import io.minnow.gguf.GGUFFile;
import io.minnow.tensor.Parallel;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

/**
 * The decoder block every supported architecture is made of, assembled from the shared layers. What differs
 * between architectures is declared in a {@link Spec} (norm kind, activation, residual layout, embedding
 * treatment, ALiBi) and in per-layer RoPE and window choices; optional tensors are found by their standard
 * names (biases, fused QKV, fused gate/up, Q/K norms, post-norms).
 */
public final class Transformer extends Model {
    public enum NormKind { RMS, LAYER }

    public enum Act { SILU, GELU }

    /**
     * @param parallelResidual {@code x + attn(n1(x)) + ffn(n2(x))}, where n2 is the FFN norm or, without one, n1
     * @param embedScale       multiply token embeddings by sqrt(n_embd) (Gemma)
     * @param embedNorm        LayerNorm after the embedding lookup ({@code token_embd_norm}, Bloom)
     * @param alibi            ALiBi position biases with llama.cpp's maximum bias 8 (Bloom)
     */
    public record Spec(NormKind norm, Act act, boolean parallelResidual, boolean embedScale, boolean embedNorm, boolean alibi) {
        public static Spec llamaLike() {
            return new Spec(NormKind.RMS, Act.SILU, false, false, false, false);
        }
    }

    /** A norm's weight and optional bias. */
    record NormWeights(float[] w, float[] b) {}

    /** One layer's weights and settings; absent parts are null. */
    record Layer(NormWeights attnNorm, Linear.Group qkvSeparate, Linear qkv, float[] qNorm, float[] kNorm, Linear o,
            NormWeights postAttnNorm, NormWeights ffnNorm, Linear.Group gateUp, Linear up, Linear down, NormWeights postFfnNorm,
            Rope rope, Attention.Params attn) {}

    private final Spec spec;
    private final Layer[] layers;
    private final NormWeights outputNorm;
    private final NormWeights embdNorm;
    private final float[] outputBias;
    private Rope anglesFor;

    /**
     * @param ropeFor  the RoPE of each layer, or null for a layer without positions (NoPE, ALiBi)
     * @param windowFor the sliding window of each layer, 0 for full attention
     */
    public Transformer(GGUFFile file, ModelConfig c, Spec spec, IntFunction<Rope> ropeFor, IntUnaryOperator windowFor) {
        super(file, c);
        this.spec = spec;
        int e = c.nEmbd;
        float[] slopes = spec.alibi ? alibiSlopes(c.nHead(0)) : null;
        layers = new Layer[c.nLayer];
        for (int l = 0; l < c.nLayer; l++) {
            int h = c.nHead(l), hkv = c.nHeadKv(l), qDim = h * c.headDimK, kvDim = hkv * c.headDimK, vDim = hkv * c.headDimV;
            boolean fused = file.optionalTensor(weight(ATTN_QKV, l)) != null;
            int ff = c.nFf(l);
            Linear gate = optionalLinear(FFN_GATE, l, e, ff);
            Linear up;
            if (gate == null && file.tensor(weight(FFN_UP, l)).rows() == 2L * ff && spec.act == Act.SILU) {
                up = linear(FFN_UP, l, e, 2 * ff); // fused gate/up (Phi-3): first half gate, second half up
            } else {
                up = linear(FFN_UP, l, e, ff);
            }
            var attn = new Attention.Params(h, hkv, c.headDimK, c.headDimV, (float) (1 / Math.sqrt(c.headDimK)),
                    windowFor.applyAsInt(l), c.attnSoftcap, slopes);
            layers[l] = new Layer(norm(ATTN_NORM, l, true),
                    fused ? null : Linear.Group.of(linear(ATTN_Q, l, e, qDim), linear(ATTN_K, l, e, kvDim), linear(ATTN_V, l, e, vDim)),
                    fused ? linear(ATTN_QKV, l, e, qDim + kvDim + vDim) : null,
                    optionalVector(weight(ATTN_Q_NORM, l), c.headDimK), optionalVector(weight(ATTN_K_NORM, l), c.headDimK),
                    linear(ATTN_OUTPUT, l, h * c.headDimV, e),
                    norm(ATTN_POST_NORM, l, false), norm(FFN_NORM, l, !spec.parallelResidual),
                    gate == null ? null : Linear.Group.of(gate, up), up, linear(FFN_DOWN, l, ff, e), norm(FFN_POST_NORM, l, false),
                    ropeFor.apply(l), attn);
        }
        outputNorm = new NormWeights(vector(weight(OUTPUT_NORM), e), optionalVector(bias(OUTPUT_NORM), e));
        embdNorm = spec.embedNorm ? new NormWeights(vector(weight(TOKEN_EMBD_NORM), e), optionalVector(bias(TOKEN_EMBD_NORM), e)) : null;
        outputBias = optionalVector(bias(OUTPUT), c.nVocab);
    }

    private NormWeights norm(String base, int l, boolean required) {
        int e = config.nEmbd;
        float[] w = required ? vector(weight(base, l), e) : optionalVector(weight(base, l), e);
        return w == null ? null : new NormWeights(w, optionalVector(bias(base, l), e));
    }

    /** ALiBi slopes as llama.cpp computes them with maximum bias 8, for any head count. */
    static float[] alibiSlopes(int nHead) {
        int n = Integer.highestOneBit(nHead);
        double m0 = Math.pow(2, -8.0 / n), m1 = Math.pow(2, -4.0 / n);
        float[] s = new float[nHead];
        for (int h = 0; h < nHead; h++) {
            s[h] = (float) (h < n ? Math.pow(m0, h + 1) : Math.pow(m1, 2 * (h - n) + 1));
        }
        return s;
    }

    /** The standard RoPE of a model: all layers, the file's base, dimensions and linear scaling. */
    public static Rope rope(ModelConfig c, Rope.Mode mode, float[] freqFactors) {
        return new Rope(mode, c.ropeDims, c.ropeBase, freqFactors, c.ropeLinearScale);
    }

    /**
     * Per-pair RoPE frequency factors stored as a tensor (Llama 3's {@code rope_freqs}, Phi-3.5's
     * {@code rope_factors_long/short}), or null when the file has none; checked to be F32 with rope_dims / 2 values.
     */
    public static float[] ropeFactors(GGUFFile file, ModelConfig c, String name) {
        var t = file.optionalTensor(name);
        if (t == null) return null;
        if (t.type() != io.minnow.gguf.GGMLType.F32 || t.elementCount() != c.ropeDims / 2) {
            throw new GGUFException(file.path(), "tensor '" + name + "' must be F32 with " + c.ropeDims / 2 + " values, but is "
                    + t.type() + " with " + t.elementCount());
        }
        float[] f = new float[c.ropeDims / 2];
        for (int i = 0; i < f.length; i++) f[i] = t.data().get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i);
        return f;
    }

    /** Whether layer {@code l} is a sliding-window layer for a pattern of {@code n}: all but every n-th layer. */
    public static boolean slidingLayer(int l, int pattern) {
        return l % pattern < pattern - 1;
    }

    /** The file's sliding-window pattern, or {@code dflt}. */
    public static int windowPattern(GGUFFile f, ModelConfig c, int dflt) {
        int p = f.getInt(key(ATTN_SLIDING_WINDOW_PATTERN, c.architecture), dflt);
        if (p < 1) throw new GGUFException(f.path(), "sliding_window_pattern must be >= 1, got " + p);
        return p;
    }

    private void applyNorm(NormWeights n, float[] x, int off, float[] out, int outOff) {
        if (spec.norm == NormKind.RMS) {
            Norm.rms(x, off, config.nEmbd, n.w, config.rmsEps, out, outOff);
        } else {
            Norm.layer(x, off, config.nEmbd, n.w, n.b, config.normEps, out, outOff);
        }
    }

    private void normRows(NormWeights n, float[] x, float[] out, int rows) {
        int e = config.nEmbd;
        for (int i = 0; i < rows; i++) applyNorm(n, x, i * e, out, i * e);
    }

    @Override
    protected void embed(Workspace w, int n) {
        int e = config.nEmbd;
        if (spec.embedScale) {
            float s = (float) Math.sqrt(e);
            for (int i = 0; i < n * e; i++) w.x[i] *= s;
        }
        if (embdNorm != null) {
            for (int i = 0; i < n; i++) Norm.layer(w.x, i * e, e, embdNorm.w, embdNorm.b, config.normEps, w.x, i * e);
        }
        anglesFor = null;
    }

    @Override
    protected void block(Parallel pool, Batch batch, int l, Workspace w) {
        ModelConfig c = config;
        Layer L = layers[l];
        Attention.Params p = L.attn;
        int n = batch.size(), e = c.nEmbd, qDim = p.nHead() * p.headDimK(), kDim = p.nHeadKv() * p.headDimK(), vDim = p.nHeadKv() * p.headDimV();
        // attention: xb = norm(x); q, k, v = projections of xb
        normRows(L.attnNorm, w.x, w.xb, n);
        if (L.qkv != null) {
            L.qkv.apply(pool, w.xb, n, w.xb2);
            int row = qDim + kDim + vDim;
            for (int i = 0; i < n; i++) {
                System.arraycopy(w.xb2, i * row, w.q, i * qDim, qDim);
                System.arraycopy(w.xb2, i * row + qDim, w.k, i * kDim, kDim);
                System.arraycopy(w.xb2, i * row + qDim + kDim, w.v, i * vDim, vDim);
            }
        } else {
            L.qkvSeparate.apply(pool, w.xb, n, w.qkvOut);
        }
        if (L.qNorm != null) Norm.rmsRows(w.q, 0, n * p.nHead(), p.headDimK(), L.qNorm, c.rmsEps);
        if (L.kNorm != null) Norm.rmsRows(w.k, 0, n * p.nHeadKv(), p.headDimK(), L.kNorm, c.rmsEps);
        if (L.rope != null) {
            if (L.rope != anglesFor) {
                ropeAngles(L.rope, batch, w);
                anglesFor = L.rope;
            }
            for (int i = 0; i < n; i++) {
                L.rope.apply(w.q, i * qDim, p.nHead(), p.headDimK(), w.cs[i]);
                L.rope.apply(w.k, i * kDim, p.nHeadKv(), p.headDimK(), w.cs[i]);
            }
        }
        Attention.run(pool, batch, l, p, w.q, w.k, w.v, w.att);
        L.o.apply(pool, w.att, n, w.xb2);
        if (L.postAttnNorm != null) normRows(L.postAttnNorm, w.xb2, w.xb2, n);
        // feed-forward
        if (spec.parallelResidual) {
            if (L.ffnNorm != null) normRows(L.ffnNorm, w.x, w.xb, n); // else: the attention norm's output, still in xb
            ffn(pool, L, w, n, w.xb3);
            VectorMath.add(w.xb2, 0, w.x, 0, n * e);
            VectorMath.add(w.xb3, 0, w.x, 0, n * e);
            return;
        }
        VectorMath.add(w.xb2, 0, w.x, 0, n * e);
        normRows(L.ffnNorm, w.x, w.xb, n);
        ffn(pool, L, w, n, w.xb3);
        if (L.postFfnNorm != null) normRows(L.postFfnNorm, w.xb3, w.xb3, n);
        VectorMath.add(w.xb3, 0, w.x, 0, n * e);
    }

    /** out = FFN(xb) for n rows: gated (separate or fused gate/up) or a plain GELU MLP. */
    private void ffn(Parallel pool, Layer L, Workspace w, int n, float[] out) {
        int ff = L.down.in();
        if (L.gateUp != null) {
            L.gateUp.apply(pool, w.xb, n, w.gateUpOut);
            glu(w.hb, 0, w.hb2, 0, n * ff);
            L.down.apply(pool, w.hb, n, out);
        } else if (L.up.out() == 2 * ff) {
            L.up.apply(pool, w.xb, n, w.hb);
            for (int i = 0; i < n; i++) { // row i of hb: [gate | up]
                glu(w.hb, i * 2 * ff, w.hb, i * 2 * ff + ff, ff);
                System.arraycopy(w.hb, i * 2 * ff, w.hb2, i * ff, ff);
            }
            L.down.apply(pool, w.hb2, n, out);
        } else {
            L.up.apply(pool, w.xb, n, w.hb);
            Activation.gelu(w.hb, 0, n * ff);
            L.down.apply(pool, w.hb, n, out);
        }
    }

    private void glu(float[] gate, int gOff, float[] up, int uOff, int n) {
        if (spec.act == Act.SILU) {
            Activation.swiglu(gate, gOff, up, uOff, n);
        } else {
            Activation.geglu(gate, gOff, up, uOff, n);
        }
    }

    @Override
    protected void finalNorm(float[] x, int xOff, float[] out, int outOff) {
        applyNorm(outputNorm, x, xOff, out, outOff);
    }

    @Override
    protected void finishLogits(float[] logits, int rows) {
        if (outputBias != null) {
            for (int r = 0; r < rows; r++) VectorMath.add(outputBias, 0, logits, r * config.nVocab, config.nVocab);
        }
        super.finishLogits(logits, rows);
    }
}
