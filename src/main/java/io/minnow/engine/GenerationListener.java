package io.minnow.engine;

import java.util.List;

/**
 * Receives one sequence's events, on the engine's scheduler thread: implementations must return quickly and
 * never block. Exactly one of {@link #onFinish} or {@link #onError} ends the stream.
 */
public interface GenerationListener {
    /** The sequence got a KV slot; {@code cachedTokens} prompt tokens were reused from an earlier request. */
    default void onStart(int promptTokens, int cachedTokens) {}

    /** Log-probabilities of the prompt tokens, when asked; the first entry is {@code null}. */
    default void onPromptLogprobs(List<TokenLogprob> logprobs) {}

    /**
     * One generated token. {@code text} is the new text it completes: possibly empty while a multi-byte character
     * or a possible stop string is held back, possibly more than this token's own text when held text is released.
     */
    void onToken(int token, String text, TokenLogprob logprob);

    /** The end: {@code text} is held-back text released at the end (empty if none). */
    void onFinish(FinishReason reason, String text, Usage usage);

    /** The sequence failed; its slot has been returned. */
    default void onError(RuntimeException error) {}

    record Usage(int promptTokens, int completionTokens, int cachedTokens) {}
}
