package io.minnow.model.qwen2;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Rope;
import io.minnow.model.Transformer;

/** Qwen2 / Qwen2.5: llama with Q/K/V biases (found by name) and NEOX RoPE; tied or separate output. */
public final class Qwen2 implements Architecture {
    @Override
    public String name() {
        return "qwen2";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        Rope rope = Transformer.rope(c, Rope.Mode.NEOX, null);
        return new Transformer(file, c, Transformer.Spec.llamaLike(), l -> rope, l -> 0);
    }
}
