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
        float[] freqs = ropeFreqs(file, c);
        Rope rope = Transformer.rope(c, Rope.Mode.NORM, freqs);
        return new Transformer(file, c, Transformer.Spec.llamaLike(), l -> rope, l -> 0);
    }

    /** Llama 3's per-pair frequency divisors, when the file has them. */
    static float[] ropeFreqs(GGUFFile file, ModelConfig c) {
        var t = file.optionalTensor(Names.ROPE_FREQS);
        if (t == null) return null;
        if (t.elementCount() != c.ropeDims / 2) {
            throw new io.minnow.gguf.GGUFException(file.path(), "rope_freqs has " + t.elementCount() + " values, expected " + c.ropeDims / 2);
        }
        float[] f = new float[c.ropeDims / 2];
        for (int i = 0; i < f.length; i++) f[i] = t.data().get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i);
        return f;
    }
}
