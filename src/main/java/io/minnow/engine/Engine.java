package io.minnow.engine;

import io.minnow.gguf.GGUFFile;
import io.minnow.model.Architectures;
import io.minnow.model.Batch;
import io.minnow.model.KVCache;
import io.minnow.model.Model;
import io.minnow.model.ModelConfig;
import io.minnow.tensor.Parallel;
import io.minnow.tensor.VectorConfig;
import io.minnow.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The engine facade: one model file, its tokenizer, a pool of KV-cache slots, a compute pool and the scheduler
 * thread that batches all running sequences. Thread-safe.
 */
public final class Engine implements AutoCloseable {
    /** Context per sequence when the options leave it to the model: its trained context, at most this. */
    public static final int DEFAULT_CONTEXT = 4096;
    /** The bundled model, relative to the working directory or the application's folder. */
    public static final String BUNDLED_MODEL = "models/kjv-tiny-q8_0.gguf";

    private final GGUFFile file;
    private final Model model;
    private final Tokenizer tokenizer;
    private final EngineOptions options;
    private final EngineObserver observer;
    private final Parallel pool;
    private final KVPool kv;
    private final Scheduler scheduler;
    private final Thread thread;
    private final String name;
    private final long loadNanos;

    private Engine(GGUFFile file, Model model, Tokenizer tokenizer, EngineOptions options, EngineObserver observer, long t0) {
        this.file = file;
        this.model = model;
        this.tokenizer = tokenizer;
        this.options = options;
        this.observer = observer;
        ModelConfig c = model.config();
        int ctx = options.contextSize() > 0 ? Math.min(options.contextSize(), c.contextLength) : Math.min(c.contextLength, DEFAULT_CONTEXT);
        int slots = slotsWithinBudget(c, options, ctx);
        this.kv = new KVPool(model, slots, ctx, options.kvType());
        this.pool = new Parallel(options.threads());
        this.scheduler = new Scheduler(model, tokenizer, pool, kv, options, observer);
        String fileName = file.path().getFileName().toString();
        this.name = fileName.endsWith(".gguf") ? fileName.substring(0, fileName.length() - 5) : fileName;
        this.thread = new Thread(scheduler, "minnow-scheduler");
        thread.setDaemon(true);
        thread.start();
        if (!VectorConfig.ENABLED) {
            observer.info("Vector API path off, kernels run their scalar path: " + VectorConfig.REASON);
        }
        if (options.warmup()) {
            warmup();
        }
        this.loadNanos = System.nanoTime() - t0;
        observer.modelLoaded(name, loadNanos);
    }

    /** The configured slot count, reduced so that the pool fits the KV budget (if one is set). */
    static int slotsWithinBudget(ModelConfig c, EngineOptions o, int ctx) {
        if (o.kvBudgetBytes() <= 0) {
            return o.slots();
        }
        long perSlot = KVCache.bytesFor(c, ctx, o.kvType());
        long fit = o.kvBudgetBytes() / perSlot;
        if (fit < 1) {
            throw new EngineException(EngineException.Kind.INVALID, "the KV budget of " + o.kvBudgetBytes() + " bytes is too small for one slot of "
                    + ctx + " tokens (" + perSlot + " bytes); raise the budget or lower the context size");
        }
        return (int) Math.min(o.slots(), fit);
    }

    /** Maps the file, builds the model and tokenizer, allocates the KV pool and starts the scheduler. */
    public static Engine load(Path path, EngineOptions options, EngineObserver observer) {
        long t0 = System.nanoTime();
        GGUFFile file = GGUFFile.open(path);
        try {
            Model model = Architectures.load(file);
            Tokenizer tokenizer = Tokenizer.fromGGUF(file);
            return new Engine(file, model, tokenizer, options, observer == null ? EngineObserver.NONE : observer, t0);
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    /**
     * The bundled default model: {@code models/kjv-tiny-q8_0.gguf} in the working directory, or beside the
     * application (two folders up from {@code target/quarkus-app/quarkus-run.jar}, or {@code /models} in containers).
     */
    public static Path bundledModel() {
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of(BUNDLED_MODEL));
        try {
            var src = Engine.class.getProtectionDomain().getCodeSource();
            if (src != null && src.getLocation() != null && "file".equals(src.getLocation().getProtocol())) {
                Path p = Path.of(src.getLocation().toURI()).toAbsolutePath();
                for (int up = 0; up < 5 && p != null; up++, p = p.getParent()) {
                    candidates.add(p.resolve(BUNDLED_MODEL));
                }
            }
        } catch (Exception | Error ignored) {
            // no code source (native image): the working directory is all we have
        }
        candidates.add(Path.of("/models/kjv-tiny-q8_0.gguf"));
        for (Path c : candidates) {
            if (java.nio.file.Files.isRegularFile(c)) return c;
        }
        return Path.of(BUNDLED_MODEL);
    }

    /**
     * A few requests before readiness, so the first users do not pay for JIT compilation: one alone, then up to four
     * at once with different lengths, so that the single-row kernels, the fused 2- to 4-row kernels of continuous
     * batching (each batch size in turn as the requests finish) and the tiled prompt path all run and are compiled
     * with every batch size in their profiles (a batch size C2 has not seen deoptimizes the kernel mid-service).
     */
    private void warmup() {
        int vocab = model.config().nVocab;
        int concurrent = Math.min(4, kv.size());
        for (int round = 0; round < 2; round++) {
            int n = round == 0 ? 1 : concurrent;
            List<CompletableFuture<Result>> running = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // short prompts: together they still take the tiled prompt path (5 rows or more), which runs
                // very slowly until it is compiled
                int len = Math.max(1, Math.min(round == 0 ? 8 : 2 + i, contextSize() - 12));
                int[] prompt = new int[len];
                for (int j = 0; j < len; j++) {
                    prompt[j] = j == 0 && tokenizer.bos() >= 0 ? tokenizer.bos() : Math.min(100 + 7 * i + j, vocab - 1);
                }
                running.add(start(new GenerationRequest(prompt, 4 + 2 * i, io.minnow.sampling.SamplingParams.greedy(), List.of(),
                        true, -1, true, null)));
            }
            running.forEach(Engine::join);
        }
    }

    public String modelName() {
        return name;
    }

    public Model model() {
        return model;
    }

    public ModelConfig config() {
        return model.config();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public EngineOptions options() {
        return options;
    }

    /** Tokens each sequence may hold. */
    public int contextSize() {
        return kv.capacity();
    }

    public long loadNanos() {
        return loadNanos;
    }

    /**
     * Queues a request; events reach {@code listener} on the scheduler thread.
     *
     * @throws EngineException CONTEXT_LENGTH_EXCEEDED, INVALID or OVERLOADED (the queue is full)
     */
    public GenerationHandle submit(GenerationRequest request, GenerationListener listener) {
        int[] prompt = request.prompt();
        if (prompt.length > contextSize()) {
            throw new EngineException(EngineException.Kind.CONTEXT_LENGTH_EXCEEDED, "This model's maximum context length is "
                    + contextSize() + " tokens. However, your prompt has " + prompt.length + " tokens.");
        }
        for (int t : prompt) {
            if (t < 0 || t >= model.config().nVocab) {
                throw new EngineException(EngineException.Kind.INVALID, "token id " + t + " is outside the vocabulary (0.." + (model.config().nVocab - 1) + ")");
            }
        }
        Sequence s = new Sequence(request, listener, contextSize());
        scheduler.submit(s);
        return s;
    }

    /** The outcome of a blocking {@link #generate}. */
    public record Result(int[] tokens, String text, FinishReason finishReason, GenerationListener.Usage usage,
            List<TokenLogprob> logprobs, List<TokenLogprob> promptLogprobs, long promptNanos, long decodeNanos) {}

    /** Runs a request to the end on the calling thread's behalf. */
    public Result generate(GenerationRequest request) {
        return join(start(request));
    }

    /** Submits a request whose outcome completes the returned future. */
    private CompletableFuture<Result> start(GenerationRequest request) {
        CompletableFuture<Result> done = new CompletableFuture<>();
        long t0 = System.nanoTime();
        submit(request, new GenerationListener() {
            final List<Integer> tokens = new ArrayList<>();
            final List<TokenLogprob> lps = new ArrayList<>();
            final StringBuilder text = new StringBuilder();
            List<TokenLogprob> promptLps;
            long firstToken;

            @Override
            public void onPromptLogprobs(List<TokenLogprob> logprobs) {
                promptLps = logprobs;
            }

            @Override
            public void onToken(int token, String t, TokenLogprob lp) {
                if (tokens.isEmpty()) firstToken = System.nanoTime();
                tokens.add(token);
                text.append(t);
                if (lp != null) lps.add(lp);
            }

            @Override
            public void onFinish(FinishReason reason, String t, Usage usage) {
                text.append(t);
                long end = System.nanoTime();
                long first = tokens.isEmpty() ? end : firstToken;
                done.complete(new Result(tokens.stream().mapToInt(Integer::intValue).toArray(), text.toString(), reason, usage,
                        lps, promptLps, first - t0, end - first));
            }

            @Override
            public void onError(RuntimeException error) {
                done.completeExceptionally(error);
            }
        });
        return done;
    }

    /**
     * Teacher-forced logits: feeds {@code tokens} in one pass through a private cache and returns the raw logits
     * at every position ([tokens][nVocab]).
     */
    public float[][] logits(int[] tokens) {
        if (tokens.length == 0 || tokens.length > contextSize()) {
            throw new EngineException(EngineException.Kind.INVALID, "need 1.." + contextSize() + " tokens, got " + tokens.length);
        }
        return join(scheduler.runExclusive(() -> {
            int v = model.config().nVocab;
            KVCache cache = model.newCache(tokens.length, options.kvType());
            float[][] out = new float[tokens.length][];
            int chunk = options.batchTokens();
            Batch b = new Batch(chunk);
            float[] buf = new float[chunk * v];
            for (int start = 0; start < tokens.length; start += chunk) {
                b.clear();
                int n = Math.min(chunk, tokens.length - start);
                for (int i = 0; i < n; i++) b.add(tokens[start + i], start + i, cache, true);
                model.forward(pool, b, buf);
                for (int i = 0; i < n; i++) out[start + i] = java.util.Arrays.copyOfRange(buf, i * v, (i + 1) * v);
            }
            return out;
        }));
    }

    /** Throughput figures of {@link #bench}: tokens per second, mean and sample standard deviation. */
    public record BenchResult(double ppTokensPerS, double ppStddev, double tgTokensPerS, double tgStddev, double ttftMs) {}

    /**
     * llama-bench's pp and tg tests on this engine's model and threads, run exclusively on the scheduler thread:
     * {@code promptTokens} random tokens in one pass, then {@code genTokens} single-token passes, each after
     * {@code depth} tokens already in the cache (0: an empty cache); one warm-up round and {@code repetitions} timed
     * rounds.
     */
    public BenchResult bench(int promptTokens, int genTokens, int repetitions, int depth, long seed) {
        if (promptTokens < 1 || genTokens < 1 || repetitions < 1 || depth < 0) {
            throw new IllegalArgumentException(
                    "prompt tokens, generated tokens and repetitions must be at least 1, depth at least 0");
        }
        return join(scheduler.runExclusive(
                () -> Benchmark.run(model, pool, promptTokens, genTokens, repetitions, depth, seed)));
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException(EngineException.Kind.UNAVAILABLE, "interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** A snapshot for gauges. */
    public record Stats(int running, int waiting, int slots, int busySlots, long kvBytesInUse, long kvBytesTotal) {
        public double kvUsage() {
            return kvBytesTotal == 0 ? 0 : (double) kvBytesInUse / kvBytesTotal;
        }
    }

    public Stats stats() {
        return new Stats(scheduler.running(), scheduler.waiting(), kv.size(), kv.busySlots(), kv.bytesInUse(), kv.bytesTotal());
    }

    @Override
    public void close() {
        scheduler.stop();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
        file.close();
    }
}
