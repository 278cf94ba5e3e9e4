package io.minnow.model.openelm;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Rope;
import io.minnow.model.Transformer;

/**
 * OpenELM: layer-wise scaling (per-layer head counts and FFN widths, read as arrays by {@link ModelConfig}),
 * fused QKV without bias, per-head Q/K RMSNorm, NEOX RoPE, SwiGLU, output tied to the embeddings.
 */
public final class OpenElm implements Architecture {
    @Override
    public String name() {
        return "openelm";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        Rope rope = Transformer.rope(c, Rope.Mode.NEOX, null);
        return new Transformer(file, c, Transformer.Spec.llamaLike(), l -> rope, l -> 0);
    }
}
