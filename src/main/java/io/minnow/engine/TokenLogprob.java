package io.minnow.engine;

import java.util.List;

/**
 * The log-probability of one token and the most likely alternatives at its position.
 *
 * @param top the {@code n} most likely tokens at that position, most likely first (empty when not asked)
 */
public record TokenLogprob(int token, float logprob, List<Alternative> top) {
    public record Alternative(int token, float logprob) {}
}
