package io.minnow.model.phi3;

import io.minnow.gguf.GGUFFile;
import io.minnow.gguf.Names;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Rope;
import io.minnow.model.Transformer;

/**
 * Phi-3 / Phi-3.5-mini: fused QKV ({@code attn_qkv}), fused gate/up ({@code ffn_up} with 2 x n_ff rows, gate
 * first), NEOX RoPE with Phi-3.5's LongRoPE factors when present (short factors while the context stays within
 * the original training context, long ones beyond it), sliding window on every layer when the metadata sets one.
 */
public final class Phi3 implements Architecture {
    @Override
    public String name() {
        return "phi3";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        int original = file.getInt(Names.key(Names.ROPE_SCALING_ORIG_CTX, c.architecture), c.contextLength);
        String factors = c.contextLength > original ? Names.ROPE_FACTORS_LONG : Names.ROPE_FACTORS_SHORT;
        Rope rope = Transformer.rope(c, Rope.Mode.NEOX, Transformer.ropeFactors(file, c, factors));
        return new Transformer(file, c, Transformer.Spec.llamaLike(), l -> rope, l -> c.slidingWindow);
    }
}
