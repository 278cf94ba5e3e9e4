package io.minnow.model.bloom;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Transformer;

/**
 * BLOOM: no RoPE; ALiBi position biases. LayerNorm of the token embeddings, LayerNorm with bias, fused QKV with
 * bias, GELU MLP with biases, output tied to the embeddings.
 */
public final class Bloom implements Architecture {
    @Override
    public String name() {
        return "bloom";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        var spec = new Transformer.Spec(Transformer.NormKind.LAYER, Transformer.Act.GELU, false, false, true, true);
        return new Transformer(file, c, spec, l -> null, l -> 0);
    }
}
