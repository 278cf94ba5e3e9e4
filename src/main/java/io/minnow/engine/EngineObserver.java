package io.minnow.engine;

/**
 * Events of the engine for metrics and logs. The core never prints: whatever it has to say goes here. Called
 * from the scheduler thread (requestQueued and requestRejected from the caller's), so keep them cheap.
 */
public interface EngineObserver {
    EngineObserver NONE = new EngineObserver() {};

    default void modelLoaded(String model, long loadNanos) {}

    default void requestQueued() {}

    default void requestRejected(String reason) {}

    default void requestStarted(long queueNanos, int promptTokens, int cachedTokens) {}

    /** The prompt (the part not reused) was processed in {@code nanos}. */
    default void promptProcessed(int tokens, long nanos) {}

    default void firstToken(long ttftNanos) {}

    default void tokenGenerated(long interTokenNanos) {}

    default void requestFinished(FinishReason reason, int promptTokens, int completionTokens, long e2eNanos) {}

    default void prefixLookup(int promptTokens, int hitTokens) {}

    /** One forward pass over {@code tokens} tokens of {@code sequences} sequences. */
    default void step(int tokens, int sequences, long nanos) {}

    /** A notice worth one log line (e.g. the vector path is disabled). */
    default void info(String message) {}

    default void warn(String message, Throwable error) {}
}
