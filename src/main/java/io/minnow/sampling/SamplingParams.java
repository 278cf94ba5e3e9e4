package io.minnow.sampling;

import java.util.Map;

/**
 * How the next token is chosen. {@code temperature} 0 means greedy (argmax). Penalties follow vLLM/OpenAI:
 * {@code repetitionPenalty} divides positive logits (multiplies negative ones) of tokens seen in the last
 * {@code penaltyLastN} tokens (prompt included); {@code presencePenalty} and {@code frequencyPenalty} subtract
 * once per seen token and per occurrence. {@code logitBias} adds to single token logits before anything else.
 *
 * @param topK   0 = off
 * @param topP   1 = off
 * @param minP   0 = off
 * @param seed   the random seed; the same seed and request give the same tokens
 */
public record SamplingParams(float temperature, int topK, float topP, float minP,
        float repetitionPenalty, float presencePenalty, float frequencyPenalty, int penaltyLastN,
        Map<Integer, Float> logitBias, long seed) {

    public SamplingParams {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP);
        if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP);
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) throw new IllegalArgumentException("repetition_penalty must be > 0, got " + repetitionPenalty);
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) throw new IllegalArgumentException("presence_penalty must be in [-2, 2], got " + presencePenalty);
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) throw new IllegalArgumentException("frequency_penalty must be in [-2, 2], got " + frequencyPenalty);
        if (penaltyLastN < 0) throw new IllegalArgumentException("penalty window must be >= 0, got " + penaltyLastN);
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
    }

    /** Argmax decoding without penalties. */
    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, 64, Map.of(), 0L);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public SamplingParams withSeed(long s) {
        return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, penaltyLastN, logitBias, s);
    }

    /** Builder with OpenAI's defaults: temperature 1, no truncation, no penalties. */
    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private float temperature = 1f, topP = 1f, minP = 0f, repetitionPenalty = 1f, presencePenalty = 0f, frequencyPenalty = 0f;
        private int topK = 0, penaltyLastN = 64;
        private Map<Integer, Float> logitBias = Map.of();
        private long seed = System.nanoTime();

        public Builder temperature(float v) { temperature = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder topP(float v) { topP = v; return this; }
        public Builder minP(float v) { minP = v; return this; }
        public Builder repetitionPenalty(float v) { repetitionPenalty = v; return this; }
        public Builder presencePenalty(float v) { presencePenalty = v; return this; }
        public Builder frequencyPenalty(float v) { frequencyPenalty = v; return this; }
        public Builder penaltyLastN(int v) { penaltyLastN = v; return this; }
        public Builder logitBias(Map<Integer, Float> v) { logitBias = v; return this; }
        public Builder seed(long v) { seed = v; return this; }

        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, penaltyLastN, logitBias, seed);
        }
    }
}
