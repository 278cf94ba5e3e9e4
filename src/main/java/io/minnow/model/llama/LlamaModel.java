package io.minnow.model.llama;

import static io.minnow.gguf.Names.*;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Activation;
import io.minnow.model.Architecture;
import io.minnow.model.Attention;
import io.minnow.model.Batch;
import io.minnow.model.Linear;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Norm;
import io.minnow.model.Rope;
import io.minnow.model.VectorMath;
import io.minnow.model.Workspace;
import io.minnow.tensor.Parallel;

/**
 * Llama (Llama 2/3, SmolLM2, TinyLlama): pre-RMSNorm blocks, RoPE in NORM mode with optional {@code rope_freqs},
 * grouped-query attention, SwiGLU feed-forward, separate or tied output.
 */
public final class LlamaModel extends Model {

    /** Registers {@code llama}. */
    public static final class Arch implements Architecture {
        @Override
        public String name() {
            return "llama";
        }

        @Override
        public Model load(GGUFFile file) {
            return new LlamaModel(file);
        }
    }

    private record Layer(float[] attnNorm, Linear wq, Linear wk, Linear wv, Linear wo,
            float[] ffnNorm, Linear gate, Linear up, Linear down) {}

    private final Layer[] layers;
    private final float[] outputNorm;
    private final Rope rope;

    LlamaModel(GGUFFile file) {
        super(file, new ModelConfig(file));
        ModelConfig c = config;
        int e = c.nEmbd;
        layers = new Layer[c.nLayer];
        for (int l = 0; l < c.nLayer; l++) {
            int qDim = c.nHead(l) * c.headDimK;
            int kvDim = c.nHeadKv(l) * c.headDimK;
            int vDim = c.nHeadKv(l) * c.headDimV;
            int ff = c.nFf(l);
            layers[l] = new Layer(
                    vector(weight(ATTN_NORM, l), e),
                    linear(ATTN_Q, l, e, qDim), linear(ATTN_K, l, e, kvDim), linear(ATTN_V, l, e, vDim),
                    linear(ATTN_OUTPUT, l, c.nHead(l) * c.headDimV, e),
                    vector(weight(FFN_NORM, l), e),
                    linear(FFN_GATE, l, e, ff), linear(FFN_UP, l, e, ff), linear(FFN_DOWN, l, ff, e));
        }
        outputNorm = vector(weight(OUTPUT_NORM), e);
        rope = new Rope(Rope.Mode.NORM, c.ropeDims, c.ropeBase, optionalVector(ROPE_FREQS, c.ropeDims / 2), c.ropeLinearScale);
    }

    @Override
    protected void block(Parallel pool, Batch batch, int l, Workspace w) {
        ModelConfig c = config;
        Layer L = layers[l];
        int n = batch.size(), e = c.nEmbd, h = c.nHead(l), hkv = c.nHeadKv(l), d = c.headDimK;
        // attention
        for (int i = 0; i < n; i++) {
            Norm.rms(w.x, i * e, e, L.attnNorm, c.rmsEps, w.xb, i * e);
        }
        L.wq.apply(pool, w.xb, n, w.q);
        L.wk.apply(pool, w.xb, n, w.k);
        L.wv.apply(pool, w.xb, n, w.v);
        if (l == 0) {
            ropeAngles(rope, batch, w);
        }
        for (int i = 0; i < n; i++) {
            rope.apply(w.q, i * h * d, h, d, w.cs[i]);
            rope.apply(w.k, i * hkv * d, hkv, d, w.cs[i]);
        }
        var p = new Attention.Params(h, hkv, d, c.headDimV, (float) (1 / Math.sqrt(d)), 0, 0f, null);
        Attention.run(pool, batch, l, p, w.q, w.k, w.v, w.att);
        L.wo.apply(pool, w.att, n, w.xb2);
        VectorMath.add(w.xb2, 0, w.x, 0, n * e);
        // feed-forward
        for (int i = 0; i < n; i++) {
            Norm.rms(w.x, i * e, e, L.ffnNorm, c.rmsEps, w.xb, i * e);
        }
        int ff = c.nFf(l);
        L.gate.apply(pool, w.xb, n, w.hb);
        L.up.apply(pool, w.xb, n, w.hb2);
        Activation.swiglu(w.hb, 0, w.hb2, 0, n * ff);
        L.down.apply(pool, w.hb, n, w.xb2);
        VectorMath.add(w.xb2, 0, w.x, 0, n * e);
    }

    @Override
    protected void finalNorm(float[] x, int xOff, float[] out, int outOff) {
        Norm.rms(x, xOff, config.nEmbd, outputNorm, config.rmsEps, out, outOff);
    }
}
