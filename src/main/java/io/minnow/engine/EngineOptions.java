package io.minnow.engine;

import io.minnow.model.KVCache;
import java.time.Duration;

/**
 * Engine settings.
 *
 * @param threads        compute threads for the matmuls (the pool is created once)
 * @param contextSize    tokens per sequence (the KV cache of one slot); 0 = the model's trained context
 * @param slots          KV-cache slots, i.e. the most sequences that run at once
 * @param batchTokens    most tokens in one forward pass; also the prompt chunk size
 * @param maxQueue       most requests waiting for a slot; beyond it requests are refused
 * @param queueTimeout   a request that waits longer than this fails
 * @param warmup         run a few tokens at load so the kernels are compiled before the first request
 * @param kvBudgetBytes  if positive, the KV pool may take at most this many bytes: the slot count is reduced to fit
 * @param kvType         element type of the KV cache: F16 holds twice the tokens in the same memory
 * @param batchWindow    when requests arrive at an idle engine, it starts once none has come for this long (at most
 *                       {@link #BATCH_WINDOW_LIMIT} times it after the first), so that a burst shares its first
 *                       passes; zero starts at once
 */
public record EngineOptions(int threads, int contextSize, int slots, int batchTokens, int maxQueue, Duration queueTimeout, boolean warmup,
        long kvBudgetBytes, KVCache.Type kvType, Duration batchWindow) {
    /** The longest an idle engine waits for a burst to finish arriving, in batch windows. */
    public static final int BATCH_WINDOW_LIMIT = 8;

    /** The default {@link #batchWindow}. */
    public static final Duration DEFAULT_BATCH_WINDOW = Duration.ofMillis(10);

    public EngineOptions {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (contextSize < 0) throw new IllegalArgumentException("context size must be >= 0, got " + contextSize);
        if (slots < 1) throw new IllegalArgumentException("slots must be >= 1, got " + slots);
        if (batchTokens < 1) throw new IllegalArgumentException("batch tokens must be >= 1, got " + batchTokens);
        if (maxQueue < 0) throw new IllegalArgumentException("max queue must be >= 0, got " + maxQueue);
        if (kvBudgetBytes < 0) throw new IllegalArgumentException("KV budget must be >= 0, got " + kvBudgetBytes);
        if (queueTimeout == null) queueTimeout = Duration.ZERO;
        if (kvType == null) kvType = KVCache.Type.F32;
        if (batchWindow == null) batchWindow = Duration.ZERO;
        if (batchWindow.isNegative()) {
            throw new IllegalArgumentException("batch window must be >= 0, got " + batchWindow);
        }
    }

    public EngineOptions(int threads, int contextSize, int slots, int batchTokens, int maxQueue, Duration queueTimeout, boolean warmup) {
        this(threads, contextSize, slots, batchTokens, maxQueue, queueTimeout, warmup, 0, KVCache.Type.F32,
                Duration.ZERO);
    }

    public static EngineOptions defaults() {
        return new EngineOptions(Math.max(1, Runtime.getRuntime().availableProcessors()), 0, 4, 256, 64,
                Duration.ofSeconds(60), true, 0, KVCache.Type.F32, DEFAULT_BATCH_WINDOW);
    }

    public EngineOptions withThreads(int t) {
        return new EngineOptions(t, contextSize, slots, batchTokens, maxQueue, queueTimeout, warmup, kvBudgetBytes,
                kvType, batchWindow);
    }

    public EngineOptions withContextSize(int c) {
        return new EngineOptions(threads, c, slots, batchTokens, maxQueue, queueTimeout, warmup, kvBudgetBytes,
                kvType, batchWindow);
    }

    public EngineOptions withSlots(int s) {
        return new EngineOptions(threads, contextSize, s, batchTokens, maxQueue, queueTimeout, warmup, kvBudgetBytes,
                kvType, batchWindow);
    }

    public EngineOptions withBatchTokens(int b) {
        return new EngineOptions(threads, contextSize, slots, b, maxQueue, queueTimeout, warmup, kvBudgetBytes,
                kvType, batchWindow);
    }

    public EngineOptions withQueue(int max, Duration timeout) {
        return new EngineOptions(threads, contextSize, slots, batchTokens, max, timeout, warmup, kvBudgetBytes,
                kvType, batchWindow);
    }

    public EngineOptions withKvBudget(long bytes) {
        return new EngineOptions(threads, contextSize, slots, batchTokens, maxQueue, queueTimeout, warmup, bytes,
                kvType, batchWindow);
    }

    public EngineOptions withKvType(KVCache.Type t) {
        return new EngineOptions(threads, contextSize, slots, batchTokens, maxQueue, queueTimeout, warmup,
                kvBudgetBytes, t, batchWindow);
    }

    public EngineOptions withWarmup(boolean w) {
        return new EngineOptions(threads, contextSize, slots, batchTokens, maxQueue, queueTimeout, w, kvBudgetBytes,
                kvType, batchWindow);
    }

    public EngineOptions withBatchWindow(Duration w) {
        return new EngineOptions(threads, contextSize, slots, batchTokens, maxQueue, queueTimeout, warmup,
                kvBudgetBytes, kvType, w);
    }
}
