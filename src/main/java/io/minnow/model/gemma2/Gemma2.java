package io.minnow.model.gemma2;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Rope;
import io.minnow.model.Transformer;

/**
 * Gemma 2: embeddings scaled by sqrt(n_embd), RMSNorm before and after attention and FFN (post-norms found by
 * name), GeGLU, NEOX RoPE, attention and final logit soft-capping from the metadata, and sliding-window attention
 * on alternating layers (a layer slides when {@code il % pattern < pattern - 1}; pattern 2 unless the file says).
 */
public final class Gemma2 implements Architecture {
    @Override
    public String name() {
        return "gemma2";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        Rope rope = Transformer.rope(c, Rope.Mode.NEOX, null);
        int pattern = Transformer.windowPattern(file, c, 2);
        var spec = new Transformer.Spec(Transformer.NormKind.RMS, Transformer.Act.GELU, false, true, false, false);
        return new Transformer(file, c, spec, l -> rope, l -> Transformer.slidingLayer(l, pattern) ? c.slidingWindow : 0);
    }
}
