package io.minnow.engine;

import io.minnow.sampling.Sampler;
import java.util.ArrayList;
import java.util.List;

/** The scheduler's state of one request. */
final class Sequence implements GenerationHandle {
    final GenerationRequest request;
    final GenerationListener listener;
    final Sampler sampler;
    final TextStream text;
    final long enqueuedNanos;
    /** prompt followed by generated tokens. [prompt + maxTokens] */
    final int[] history;
    int historyLength;
    KVPool.Slot slot;
    int cached;
    int generated;
    /** the last sampled token, not yet in the cache; -1 while the prompt is being processed */
    int pending = -1;
    /** when the sequence got its slot and its prompt processing began */
    long startedNanos;
    long lastTokenNanos;
    List<TokenLogprob> promptLogprobs;
    volatile boolean cancelled;

    Sequence(GenerationRequest request, GenerationListener listener, int contextSize) {
        this.request = request;
        this.listener = listener;
        this.sampler = new Sampler(request.sampling());
        this.text = new TextStream(request.stop());
        this.enqueuedNanos = System.nanoTime();
        this.history = new int[Math.min(request.prompt().length + request.maxTokens(), contextSize + 1)];
        System.arraycopy(request.prompt(), 0, history, 0, request.prompt().length);
        this.historyLength = request.prompt().length;
        if (request.promptLogprobs()) {
            promptLogprobs = new ArrayList<>(request.prompt().length);
            promptLogprobs.add(null);
        }
    }

    int promptLength() {
        return request.prompt().length;
    }

    /** Prompt tokens already in the cache. */
    boolean prefilling() {
        return pending < 0 && slot.length < promptLength();
    }

    @Override
    public void cancel() {
        cancelled = true;
    }
}
