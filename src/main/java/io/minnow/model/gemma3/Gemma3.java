package io.minnow.model.gemma3;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Architecture;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.model.Rope;
import io.minnow.model.Transformer;

/**
 * Gemma 3: the Gemma 2 block without soft-capping, plus per-head Q/K RMSNorm. Sliding-window layers
 * ({@code il % pattern < pattern - 1}, pattern 6 unless the file says) use {@code rope.freq_base_swa} without
 * scaling; global layers use {@code rope.freq_base} with the file's linear scaling.
 */
public final class Gemma3 implements Architecture {
    @Override
    public String name() {
        return "gemma3";
    }

    @Override
    public Model load(GGUFFile file) {
        ModelConfig c = new ModelConfig(file);
        Rope global = Transformer.rope(c, Rope.Mode.NEOX, null);
        Rope local = new Rope(Rope.Mode.NEOX, c.ropeDims, c.ropeBaseSwa, null, 1f);
        int pattern = Transformer.windowPattern(file, c, 6);
        var spec = new Transformer.Spec(Transformer.NormKind.RMS, Transformer.Act.GELU, false, true, false, false);
        return new Transformer(file, c, spec,
                l -> Transformer.slidingLayer(l, pattern) ? local : global,
                l -> Transformer.slidingLayer(l, pattern) ? c.slidingWindow : 0);
    }
}
