package io.minnow.engine;

/** Why a sequence ended. */
public enum FinishReason {
    /** End-of-generation token or a stop string. */
    STOP("stop"),
    /** max_tokens or the context size reached. */
    LENGTH("length"),
    /** The client went away or cancelled. */
    CANCELLED("cancelled"),
    /** Something failed. */
    ERROR("error");

    /** The OpenAI {@code finish_reason} spelling. */
    public final String wire;

    FinishReason(String wire) {
        this.wire = wire;
    }
}
