package io.minnow.model.llama;

import io.minnow.gguf.GGUFFile;
import io.minnow.gguf.Names;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Rope;
import io.minnow.model.Transformer;

/**
 * Llama (Llama 2/3.x, SmolLM2, TinyLlama): pre-RMSNorm blocks, RoPE in NORM mode with Llama 3's optional
 * {@code rope_freqs}, grouped-query attention, SwiGLU, separate or tied output.
 */
public final class LlamaModel implements Architecture {
    @Override
    public String name() {
        return "llama";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        Rope rope = Transformer.rope(c, Rope.Mode.NORM, Transformer.ropeFactors(file, c, Names.ROPE_FREQS));
        return new Transformer(file, c, Transformer.Spec.llamaLike(), l -> rope, l -> 0);
    }
}
