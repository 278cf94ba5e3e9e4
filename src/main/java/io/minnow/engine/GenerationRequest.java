package io.minnow.engine;

import io.minnow.sampling.SamplingParams;
import java.util.List;

/**
 * One sequence to generate.
 *
 * @param prompt          prompt token ids (BOS included when wanted)
 * @param maxTokens       most tokens to generate; 0 only evaluates the prompt
 * @param stop            stop strings: generation ends before them and they are not returned
 * @param ignoreEos       keep generating past end-of-generation tokens
 * @param topLogprobs     -1: no log-probabilities; n >= 0: each generated token's logprob and the n most likely
 * @param promptLogprobs  also the log-probabilities of the prompt tokens (the first has none); disables prefix reuse
 * @param sessionId       optional conversation id that pins its KV slot while idle
 */
public record GenerationRequest(int[] prompt, int maxTokens, SamplingParams sampling, List<String> stop, boolean ignoreEos,
        int topLogprobs, boolean promptLogprobs, String sessionId) {
    public GenerationRequest {
        if (prompt == null || prompt.length == 0) throw new IllegalArgumentException("the prompt is empty");
        if (maxTokens < 0) throw new IllegalArgumentException("max_tokens must be >= 0, got " + maxTokens);
        if (topLogprobs > 20) throw new IllegalArgumentException("logprobs must be at most 20, got " + topLogprobs);
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (sampling == null) sampling = SamplingParams.greedy();
    }

    public static GenerationRequest greedy(int[] prompt, int maxTokens) {
        return new GenerationRequest(prompt, maxTokens, SamplingParams.greedy(), List.of(), false, -1, false, null);
    }
}
