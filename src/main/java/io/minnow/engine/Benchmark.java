package io.minnow.engine;

import io.minnow.model.Batch;
import io.minnow.model.KVCache;
import io.minnow.model.Model;
import io.minnow.tensor.Parallel;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

/**
 * llama-bench's two tests on the engine's model and pool: prompt processing ({@code promptTokens} random tokens
 * in one forward pass) and generation ({@code genTokens} single-token passes, each fed the argmax of the previous
 * logits), both starting after {@code depth} tokens already in the cache (llama-bench's {@code -d}; 0 = an empty
 * cache). The depth is filled once per round, untimed, in chunks of {@link #DEPTH_CHUNK}. Untimed warm-up rounds
 * ({@link #warmUp}), then {@code repetitions} timed rounds.
 */
final class Benchmark {
    private Benchmark() {}

    /** Tokens per forward pass while the depth is filled (the server's default prompt chunk). */
    static final int DEPTH_CHUNK = 256;

    /** Most untimed warm-up rounds, and most time spent on them. */
    static final int WARMUP_ROUNDS = 10;
    static final long WARMUP_NANOS = 20_000_000_000L;
    /** JIT compilation time in one warm-up round below which the next round is timed. */
    static final long JIT_QUIET_MS = 5;

    static Engine.BenchResult run(Model model, Parallel pool, int promptTokens, int genTokens, int repetitions,
            int depth, long seed) {
        int v = model.config().nVocab;
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] prompt = new int[promptTokens];
        for (int i = 0; i < promptTokens; i++) prompt[i] = rnd.nextInt(Math.min(v, 32000));
        float[] logits = new float[v];
        int[] history = new int[depth];
        for (int i = 0; i < depth; i++) history[i] = rnd.nextInt(Math.min(v, 32000));
        KVCache cache = model.newCache(depth + Math.max(promptTokens, genTokens) + 1);
        Batch pp = new Batch(Math.max(1, promptTokens));
        Batch fill = new Batch(Math.max(1, Math.min(depth, DEPTH_CHUNK)));
        Batch one = new Batch(1);
        double[] ppRate = new double[repetitions], tgRate = new double[repetitions], ttft = new double[repetitions];
        Round round = () -> {
            for (int start = 0; start < depth; start += DEPTH_CHUNK) {
                fill.clear();
                int end = Math.min(depth, start + DEPTH_CHUNK);
                for (int i = start; i < end; i++) fill.add(history[i], i, cache, i == end - 1);
                model.forward(pool, fill, logits);
            }
            // prompt processing and the first token
            pp.clear();
            for (int i = 0; i < promptTokens; i++) pp.add(prompt[i], depth + i, cache, i == promptTokens - 1);
            long t0 = System.nanoTime();
            if (promptTokens > 0) model.forward(pool, pp, logits);
            long t1 = System.nanoTime();
            argmax(logits);
            long t2 = System.nanoTime();
            // generation from the same depth (its positions overwrite the prompt's)
            int tok = prompt.length > 0 ? prompt[0] : 0;
            long t3 = System.nanoTime();
            for (int i = 0; i < genTokens; i++) {
                one.clear();
                one.add(tok, depth + i, cache, true);
                model.forward(pool, one, logits);
                tok = argmax(logits);
            }
            long t4 = System.nanoTime();
            return new long[] {t1 - t0, t2 - t0, t4 - t3};
        };
        warmUp(round);
        for (int rep = 0; rep < repetitions; rep++) {
            long[] t = round.run();
            ppRate[rep] = promptTokens / (t[0] / 1e9);
            ttft[rep] = t[1] / 1e6;
            tgRate[rep] = genTokens / (t[2] / 1e9);
        }
        return new Engine.BenchResult(mean(ppRate), stddev(ppRate), mean(tgRate), stddev(tgRate), mean(ttft));
    }

    /** One round of both tests: prompt-processing, time-to-first-token and generation nanoseconds. */
    @FunctionalInterface
    private interface Round {
        long[] run();
    }

    /**
     * Untimed rounds until the JIT compiler is quiet: a JVM compiles the hot loops in background threads during the
     * first seconds, on the same cores as the test. At least one round; more while a round's compilation time
     * reaches {@link #JIT_QUIET_MS}, up to {@link #WARMUP_ROUNDS} rounds or {@link #WARMUP_NANOS}. Where the
     * runtime does not report compilation time (a native image compiles ahead of time), one round. llama-bench also
     * runs one untimed warm-up; the timed rounds then measure what a server delivers after its first seconds.
     * With one warm-up round, the JIT still compiled for 70-220 ms in each of the next 1-3 rounds (smollm2-135m,
     * qwen2.5-0.5b, llama3.2-1b); smollm2-135m Q4_K_M, 4 alternating pairs, one warm-up round against eight: tg
     * 120.7 / 138.3 / 138.7 / 132.9 against 128.4 / 148.4 / 136.2 / 145.2 t/s.
     */
    private static void warmUp(Round round) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        for (int i = 0; i < WARMUP_ROUNDS; i++) {
            long before = timed ? jit.getTotalCompilationTime() : 0;
            round.run();
            if (!timed || jit.getTotalCompilationTime() - before < JIT_QUIET_MS
                    || System.nanoTime() - start > WARMUP_NANOS) {
                return;
            }
        }
    }

    private static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }

    static double mean(double[] a) {
        double s = 0;
        for (double x : a) s += x;
        return a.length == 0 ? 0 : s / a.length;
    }

    /** Sample standard deviation (n - 1), as llama-bench reports. */
    static double stddev(double[] a) {
        if (a.length < 2) return 0;
        double m = mean(a), s = 0;
        for (double x : a) s += (x - m) * (x - m);
        return Math.sqrt(s / (a.length - 1));
    }
}
