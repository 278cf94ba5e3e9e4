package io.minnow.model.phi2;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Rope;
import io.minnow.model.Transformer;

/**
 * Phi-2: LayerNorm with bias, fused QKV with bias, attention and MLP in parallel on the same normed input,
 * GELU MLP with biases, partial NEOX rotary ({@code rope.dimension_count} of each head), output bias.
 */
public final class Phi2 implements Architecture {
    @Override
    public String name() {
        return "phi2";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        Rope rope = Transformer.rope(c, Rope.Mode.NEOX, null);
        var spec = new Transformer.Spec(Transformer.NormKind.LAYER, Transformer.Act.GELU, true, false, false, false);
        return new Transformer(file, c, spec, l -> rope, l -> 0);
    }
}
