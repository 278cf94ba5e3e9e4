package io.minnow.model.qwen3;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Rope;
import io.minnow.model.Transformer;

/**
 * Qwen3: per-head RMSNorm of Q and K before RoPE ({@code attn_q_norm}, {@code attn_k_norm}), NEOX RoPE, head
 * dimension from {@code attention.key_length} (independent of n_embd / n_head), no QKV biases.
 */
public final class Qwen3 implements Architecture {
    @Override
    public String name() {
        return "qwen3";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        Rope rope = Transformer.rope(c, Rope.Mode.NEOX, null);
        return new Transformer(file, c, Transformer.Spec.llamaLike(), l -> rope, l -> 0);
    }
}
