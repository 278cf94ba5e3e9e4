package io.minnow.model.gptneox;

import io.minnow.gguf.GGUFFile;
import io.minnow.gguf.Names;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Rope;
import io.minnow.model.Transformer;

/**
 * GPT-NeoX (Pythia): LayerNorm with bias, fused QKV with bias (blocks Q, K, V), partial NEOX rotary, GELU MLP
 * with biases, and the parallel residual {@code x + attn(ln1(x)) + mlp(ln2(x))} unless
 * {@code use_parallel_residual} is false.
 */
public final class GptNeoX implements Architecture {
    @Override
    public String name() {
        return "gptneox";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        boolean parallel = file.getBoolean(Names.key(Names.USE_PARALLEL_RESIDUAL, c.architecture), true);
        Rope rope = Transformer.rope(c, Rope.Mode.NEOX, null);
        var spec = new Transformer.Spec(Transformer.NormKind.LAYER, Transformer.Act.GELU, parallel, false, false, false);
        return new Transformer(file, c, spec, l -> rope, l -> 0);
    }
}
