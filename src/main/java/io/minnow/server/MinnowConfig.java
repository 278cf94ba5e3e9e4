package io.minnow.server;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Server settings ({@code minnow.*}); each can also be given as an environment variable, e.g.
 * {@code MINNOW_MODEL_PATH}, {@code MINNOW_THREADS}, {@code MINNOW_API_KEYS}.
 */
@ConfigMapping(prefix = "minnow")
public interface MinnowConfig {
    ModelSettings model();

    interface ModelSettings {
        /** The GGUF file to serve (MINNOW_MODEL_PATH); default: the bundled models/kjv-tiny-q8_0.gguf. */
        Optional<String> path();
    }

    /** Compute threads (MINNOW_THREADS); default: the available processors. */
    OptionalInt threads();

    /** Tokens per sequence (MINNOW_CONTEXT_SIZE); 0 = the model's trained context, at most 4096. */
    @WithDefault("0")
    int contextSize();

    /** Most sequences generating at once, i.e. KV-cache slots (MINNOW_SLOTS). */
    @WithDefault("4")
    int slots();

    /** Most tokens in one forward pass; also the prompt chunk (MINNOW_BATCH_TOKENS). */
    @WithDefault("256")
    int batchTokens();

    /** Most requests waiting for a slot; more are refused with 429 (MINNOW_MAX_QUEUE). */
    @WithDefault("64")
    int maxQueue();

    /** A request that waits longer than this for a slot fails with 503 (MINNOW_QUEUE_TIMEOUT). */
    @WithDefault("60s")
    Duration queueTimeout();

    /**
     * When requests arrive at an idle server, it starts once none has come for this long (at most 8 times it after
     * the first), so that a burst's prompts share the first passes; 0 starts at once (MINNOW_BATCH_WINDOW).
     */
    @WithDefault("10ms")
    Duration batchWindow();

    /** Largest request body; larger ones get 413 (MINNOW_MAX_REQUEST_BYTES, e.g. 1M). */
    @WithDefault("1M")
    MemorySize maxRequestBytes();

    /** If set, /v1/*, /tokenize, /detokenize and /tokenizer_info need "Authorization: Bearer KEY" (MINNOW_API_KEYS, comma-separated). */
    Optional<List<String>> apiKeys();

    /** Most choices (n) in one request (MINNOW_N_MAX). */
    @WithName("n-max")
    @WithDefault("8")
    int nMax();

    /** Run a few tokens at load so the first request does not pay for compilation (MINNOW_WARMUP). */
    @WithDefault("true")
    boolean warmup();

    /** Kernel settings the tensor package reads as JVM system properties (-Dminnow.vector.bits=128, -Dminnow.vector.enabled=false). */
    VectorSettings vector();

    interface VectorSettings {
        /** Vector width in bits for the kernels; default: the CPU's preferred width. */
        OptionalInt bits();

        /**
         * auto (default): the Vector API path unless the module is missing or a start-up check finds it slower than
         * scalar (one log line says so); true: the vector path without the check; false: the scalar kernels only.
         */
        @WithDefault("auto")
        String enabled();
    }

    /** Element type of the KV cache (MINNOW_KV_CACHE_TYPE): F32, or F16 to hold twice the tokens in the same memory. */
    @WithDefault("F32")
    io.minnow.model.KVCache.Type kvCacheType();

    /** If set, the KV cache may take at most this much memory; the slot count shrinks to fit (MINNOW_KV_BUDGET). */
    Optional<MemorySize> kvBudget();
}
