package io.minnow.model.gemma;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Rope;
import io.minnow.model.Transformer;

/**
 * Gemma (1): embeddings scaled by sqrt(n_embd), RMSNorm, GeGLU, NEOX RoPE, head dimension from
 * {@code attention.key_length}, multi-query attention, output tied to the embeddings.
 */
public final class Gemma implements Architecture {
    @Override
    public String name() {
        return "gemma";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        Rope rope = Transformer.rope(c, Rope.Mode.NEOX, null);
        var spec = new Transformer.Spec(Transformer.NormKind.RMS, Transformer.Act.GELU, false, true, false, false);
        return new Transformer(file, c, spec, l -> rope, l -> 0);
    }
}
