package io.minnow.model.smollm3;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Rope;
import io.minnow.model.Transformer;

/**
 * SmolLM3: llama (NORM RoPE, GQA, SwiGLU, tied output), except that every fourth layer has no positional
 * encoding at all (layer il skips RoPE when {@code (il + 1) % 4 == 0}; llama.cpp fixes the period at 4).
 */
public final class SmolLm3 implements Architecture {
    static final int NO_ROPE_LAYER_STEP = 4;

    @Override
    public String name() {
        return "smollm3";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        Rope rope = Transformer.rope(c, Rope.Mode.NORM, null);
        return new Transformer(file, c, Transformer.Spec.llamaLike(), l -> (l + 1) % NO_ROPE_LAYER_STEP == 0 ? null : rope, l -> 0);
    }
}
