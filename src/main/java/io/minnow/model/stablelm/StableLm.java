package io.minnow.model.stablelm;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Rope;
import io.minnow.model.Transformer;

/**
 * StableLM 2: LayerNorm with bias, optional Q/K/V biases, partial NEOX rotary, SwiGLU, separate output. Without
 * an {@code ffn_norm} the block uses the parallel residual, as llama.cpp does.
 */
public final class StableLm implements Architecture {
    @Override
    public String name() {
        return "stablelm";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        boolean parallel = file.optionalTensor(io.minnow.gguf.Names.weight(io.minnow.gguf.Names.FFN_NORM, 0)) == null;
        Rope rope = Transformer.rope(c, Rope.Mode.NEOX, null);
        var spec = new Transformer.Spec(Transformer.NormKind.LAYER, Transformer.Act.SILU, parallel, false, false, false);
        return new Transformer(file, c, spec, l -> rope, l -> 0);
    }
}
