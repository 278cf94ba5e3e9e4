package io.minnow.server;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What a native image must keep that analysis cannot see: the architectures that {@code io.minnow.model.Architectures}
 * finds with {@link java.util.ServiceLoader} (their no-argument constructors; the services file itself is included by
 * {@code quarkus.native.resources.includes} in the native profile). The core may not import Quarkus, so the list lives
 * here; a test keeps it equal to {@code META-INF/services/io.minnow.model.Architecture}.
 */
@RegisterForReflection(targets = {
        io.minnow.model.llama.LlamaModel.class,
        io.minnow.model.qwen2.Qwen2.class,
        io.minnow.model.qwen3.Qwen3.class,
        io.minnow.model.phi3.Phi3.class,
        io.minnow.model.phi2.Phi2.class,
        io.minnow.model.gemma.Gemma.class,
        io.minnow.model.gemma2.Gemma2.class,
        io.minnow.model.gemma3.Gemma3.class,
        io.minnow.model.smollm3.SmolLm3.class,
        io.minnow.model.gptneox.GptNeoX.class,
        io.minnow.model.openelm.OpenElm.class,
        io.minnow.model.bloom.Bloom.class,
        io.minnow.model.stablelm.StableLm.class,
}, methods = false, fields = false)
public final class NativeRegistrations {
    private NativeRegistrations() {}
}
