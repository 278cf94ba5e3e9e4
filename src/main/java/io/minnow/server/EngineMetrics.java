package io.minnow.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.minnow.engine.Engine;
import io.minnow.engine.EngineObserver;
import io.minnow.engine.FinishReason;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The engine's events as Prometheus metrics, named as vLLM names them under a {@code minnow_} prefix, every meter
 * tagged {@code model}. Latencies are histograms with fixed buckets from 1 ms to 60 s, suited to a 135M model's
 * inter-token latency as well as a 3B model's end-to-end time. Events before the model is loaded (the warm-up) are
 * not counted.
 */
public final class EngineMetrics implements EngineObserver {
    private static final Logger LOG = Logger.getLogger(EngineMetrics.class);

    /** Histogram bucket bounds, seconds. */
    static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
            1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 60.0};

    private final Timer ttft;
    private final Timer itl;
    private final Timer e2e;
    private final Timer queue;
    private final Timer prompt;
    private final Timer forward;
    private final DistributionSummary iterationTokens;
    private final Counter promptTokens;
    private final Counter generationTokens;
    private final Map<FinishReason, Counter> finished = new EnumMap<>(FinishReason.class);
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Tags tags;
    private volatile boolean loaded;
    private final Counter prefixQueries;
    private final Counter prefixHits;

    public EngineMetrics(MeterRegistry registry, String model, Supplier<Engine.Stats> stats) {
        this.registry = registry;
        this.tags = Tags.of("model", model);
        ttft = timer("minnow.time.to.first.token", "Time from arrival to the first generated token");
        itl = timer("minnow.inter.token.latency", "Time between two generated tokens of a sequence");
        e2e = timer("minnow.e2e.request.latency", "Time from arrival to the end of a request");
        queue = timer("minnow.request.queue.time", "Time a request waited for a KV slot");
        prompt = timer("minnow.request.prompt.processing", "Time to process a prompt (the part not reused from the cache)");
        forward = timer("minnow.model.forward.time", "Time of one forward pass of the scheduler (all running sequences)");
        iterationTokens = DistributionSummary.builder("minnow.iteration.tokens").description("Tokens per forward pass")
                .tags(tags).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192)
                .register(registry);
        promptTokens = Counter.builder("minnow.prompt.tokens").description("Prompt tokens of finished requests").tags(tags).register(registry);
        generationTokens = Counter.builder("minnow.generation.tokens").description("Generated tokens").tags(tags).register(registry);
        for (FinishReason r : FinishReason.values()) {
            finished.put(r, Counter.builder("minnow.requests").description("Finished requests by finished_reason")
                    .tags(tags).tag("finished_reason", r.wire).register(registry));
        }
        Gauge.builder("minnow.num.requests.running", stats, s -> value(s, st -> st.running()))
                .description("Requests generating now").tags(tags).strongReference(true).register(registry);
        Gauge.builder("minnow.num.requests.waiting", stats, s -> value(s, st -> st.waiting()))
                .description("Requests waiting for a KV slot").tags(tags).strongReference(true).register(registry);
        Gauge.builder("minnow.kv.cache.usage.perc", stats, s -> value(s, Engine.Stats::kvUsage))
                .description("Fraction of the KV cache in use (0..1)").tags(tags).strongReference(true).register(registry);
        Gauge.builder("minnow.kv.cache.used.bytes", stats, s -> value(s, st -> st.kvBytesInUse()))
                .description("Bytes of KV cache held by running sequences").tags(tags).strongReference(true).register(registry);
        Gauge.builder("minnow.kv.cache.capacity.bytes", stats, s -> value(s, st -> st.kvBytesTotal()))
                .description("Bytes of KV cache allocated at start-up (all slots)").tags(tags).strongReference(true).register(registry);
        prefixQueries = Counter.builder("minnow.prefix.cache.queries").description("Prompt tokens looked up in the prefix cache")
                .tags(tags).register(registry);
        prefixHits = Counter.builder("minnow.prefix.cache.hits").description("Prompt tokens served from the prefix cache")
                .tags(tags).register(registry);
    }

    @Override
    public void prefixLookup(int promptTokens, int hitTokens) {
        if (!loaded) return;
        prefixQueries.increment(promptTokens);
        prefixHits.increment(hitTokens);
    }

    private static double value(Supplier<Engine.Stats> s, java.util.function.ToDoubleFunction<Engine.Stats> f) {
        Engine.Stats st = s.get();
        return st == null ? 0 : f.applyAsDouble(st);
    }

    private Timer timer(String name, String description) {
        Duration[] slos = new Duration[BUCKETS.length];
        for (int i = 0; i < BUCKETS.length; i++) slos[i] = Duration.ofNanos(Math.round(BUCKETS[i] * 1e9));
        return Timer.builder(name).description(description).tags(tags)
                .publishPercentileHistogram(false)
                .serviceLevelObjectives(slos)
                .minimumExpectedValue(slos[0])
                .maximumExpectedValue(slos[slos.length - 1])
                .register(registry);
    }

    @Override
    public void modelLoaded(String model, long loadNanos) {
        loaded = true;
        Gauge.builder("minnow.model.load.seconds", () -> loadNanos / 1e9).description("Time the model took to load")
                .tags(tags).strongReference(true).register(registry);
    }

    @Override
    public void requestRejected(String reason) {
        if (!loaded) return;
        rejected.computeIfAbsent(reason, r -> Counter.builder("minnow.requests.rejected").description("Requests refused (queue_full, queue_timeout)")
                .tags(tags).tag("reason", r).register(registry)).increment();
    }

    @Override
    public void requestStarted(long queueNanos, int promptTokens, int cachedTokens) {
        if (loaded) queue.record(queueNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void promptProcessed(int tokens, long nanos) {
        if (loaded) prompt.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void firstToken(long ttftNanos) {
        if (!loaded) return;
        ttft.record(ttftNanos, TimeUnit.NANOSECONDS);
        generationTokens.increment();
    }

    @Override
    public void tokenGenerated(long interTokenNanos) {
        if (!loaded) return;
        itl.record(interTokenNanos, TimeUnit.NANOSECONDS);
        generationTokens.increment();
    }

    @Override
    public void requestFinished(FinishReason reason, int promptTokens, int completionTokens, long e2eNanos) {
        if (!loaded) return;
        finished.get(reason).increment();
        this.promptTokens.increment(promptTokens);
        e2e.record(e2eNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void step(int tokens, int sequences, long nanos) {
        if (!loaded) return;
        forward.record(nanos, TimeUnit.NANOSECONDS);
        iterationTokens.record(tokens);
    }

    @Override
    public void info(String message) {
        LOG.info(message);
    }

    @Override
    public void warn(String message, Throwable error) {
        LOG.warn(message, error);
    }
}
