package io.minnow.model;

import io.minnow.gguf.GGUFFile;

/**
 * One model architecture, found by its {@code general.architecture} name. Implementations are registered in
 * {@code META-INF/services/io.minnow.model.Architecture}; there is no central switch.
 */
public interface Architecture {
    /** The {@code general.architecture} value this handles, e.g. {@code "llama"}. */
    String name();

    /** Builds the model over the mapped file's tensors. */
    Model load(GGUFFile file);
}
