package io.minnow.engine;

/** A submitted sequence; cancelling it frees its slot within one decoding step. */
public interface GenerationHandle {
    void cancel();
}
