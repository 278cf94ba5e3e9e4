package io.minnow.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minnow.Fixtures;
import io.minnow.gguf.GGUFFile;
import io.minnow.tensor.Parallel;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Attention#run} against a naive float64 attention, on random queries, keys and values: every token of a
 * 150-token prompt (so every context length from 1 to 150, across the vector blocks of the key and value kernels
 * and their tails), then a decode batch of two sequences at different positions. Grouped-query heads, a sliding
 * window, soft-capping and ALiBi each change the scores, and both cache types are covered (float16 rounds keys and
 * values before the reference sees them). Heads of 32 components (qwen2-tiny, grouped-query) and of 80 (phi2-tiny:
 * at 512 bits, two vectors and then one per pass over the values).
 */
class AttentionTest {
    static final int N = 150;
    static Parallel pool;

    @BeforeAll
    static void start() {
        pool = new Parallel(2);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @ParameterizedTest
    @CsvSource({"qwen2-tiny-f32, F32, 0, 0, false", "qwen2-tiny-f32, F16, 0, 0, false",
            "qwen2-tiny-f32, F32, 37, 0, false", "qwen2-tiny-f32, F16, 37, 0, false", "qwen2-tiny-f32, F32, 0, 5, false",
            "qwen2-tiny-f32, F32, 0, 0, true", "qwen2-tiny-f32, F32, 20, 3, true", "phi2-tiny-f32, F32, 0, 0, false",
            "phi2-tiny-f32, F16, 37, 0, false"})
    void matchesNaiveAttention(String model, KVCache.Type type, int window, float softcap, boolean alibi)
            throws Exception {
        ModelConfig cfg;
        try (GGUFFile f = GGUFFile.open(Fixtures.model(model))) {
            cfg = new ModelConfig(f);
        }
        int nHead = cfg.nHead(0), nKv = cfg.nHeadKv(0), dk = cfg.headDimK, dv = cfg.headDimV;
        if (model.startsWith("qwen2")) {
            assertTrue(nHead > nKv, "the fixture must have grouped-query heads, has " + nHead + " and " + nKv);
        }
        float[] slopes = null;
        if (alibi) {
            slopes = new float[nHead];
            for (int h = 0; h < nHead; h++) slopes[h] = 0.05f * (h + 1);
        }
        float scale = (float) (1 / Math.sqrt(dk));
        Attention.Params p = new Attention.Params(nHead, nKv, dk, dv, scale, window, softcap, slopes);
        Random r = new Random(7);
        int cap = N + 8;
        KVCache a = new KVCache(cfg, cap, type), b = new KVCache(cfg, cap, type);
        // keys and values as stored, per cache: [position][nKv * d]
        float[][] ka = new float[cap][], va = new float[cap][], kb = new float[cap][], vb = new float[cap][];

        // a prompt of N tokens into cache a: token i attends to positions 0..i
        Batch prompt = new Batch(N);
        for (int i = 0; i < N; i++) prompt.add(0, i, a, false);
        float[] q = random(r, N * nHead * dk), k = random(r, N * nKv * dk), v = random(r, N * nKv * dv);
        for (int i = 0; i < N; i++) {
            ka[i] = stored(type, k, i * nKv * dk, nKv * dk);
            va[i] = stored(type, v, i * nKv * dv, nKv * dv);
        }
        float[] out = new float[N * nHead * dv];
        Attention.run(pool, prompt, 0, p, q, k, v, out);
        for (int i = 0; i < N; i++) {
            check(p, q, i * nHead * dk, ka, va, i, out, i * nHead * dv, "prompt token " + i);
        }

        // cache b holds a shorter history; then one decode step of both sequences in one batch
        int lenB = 21;
        Batch hist = new Batch(lenB);
        for (int i = 0; i < lenB; i++) hist.add(0, i, b, false);
        float[] kh = random(r, lenB * nKv * dk), vh = random(r, lenB * nKv * dv);
        for (int i = 0; i < lenB; i++) {
            kb[i] = stored(type, kh, i * nKv * dk, nKv * dk);
            vb[i] = stored(type, vh, i * nKv * dv, nKv * dv);
        }
        Attention.run(pool, hist, 0, p, random(r, lenB * nHead * dk), kh, vh, new float[lenB * nHead * dv]);
        Batch step = new Batch(2);
        step.add(0, N, a, true);
        step.add(0, lenB, b, true);
        float[] q2 = random(r, 2 * nHead * dk), k2 = random(r, 2 * nKv * dk), v2 = random(r, 2 * nKv * dv);
        ka[N] = stored(type, k2, 0, nKv * dk);
        va[N] = stored(type, v2, 0, nKv * dv);
        kb[lenB] = stored(type, k2, nKv * dk, nKv * dk);
        vb[lenB] = stored(type, v2, nKv * dv, nKv * dv);
        float[] out2 = new float[2 * nHead * dv];
        Attention.run(pool, step, 0, p, q2, k2, v2, out2);
        check(p, q2, 0, ka, va, N, out2, 0, "decode, sequence a");
        check(p, q2, nHead * dk, kb, vb, lenB, out2, nHead * dv, "decode, sequence b");
    }

    /**
     * Decoding must not box vectors: a Vector API call that C2 leaves out of line allocates every vector it returns.
     * Single-token steps at growing positions until the compiled kernels allocate under 16 KB per step (1,000
     * steps at a time, for at most 60 s); boxed vectors take hundreds of KB per step here. A float16 kernel that
     * shared its method with the float32 one did exactly this (177 MB per token on smollm2-135m).
     */
    @ParameterizedTest
    @CsvSource({"F32", "F16"})
    void steadyDecodeDoesNotAllocate(KVCache.Type type) throws Exception {
        ModelConfig cfg;
        try (GGUFFile f = GGUFFile.open(Fixtures.model("qwen2-tiny-f32"))) {
            cfg = new ModelConfig(f);
        }
        int nHead = cfg.nHead(0), nKv = cfg.nHeadKv(0), dk = cfg.headDimK, dv = cfg.headDimV;
        Attention.Params p = new Attention.Params(nHead, nKv, dk, dv, (float) (1 / Math.sqrt(dk)), 0, 0, null);
        Random r = new Random(3);
        float[] q = random(r, nHead * dk), k = random(r, nKv * dk), v = random(r, nKv * dv), out = new float[nHead * dv];
        int cap = 512;
        KVCache cache = new KVCache(cfg, cap, type);
        Batch one = new Batch(1);
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long deadline = System.nanoTime() + 60_000_000_000L;
        double perStep = Double.MAX_VALUE;
        while (perStep > 16 * 1024 && System.nanoTime() < deadline) {
            long before = allocated(threads);
            for (int i = 0; i < 1000; i++) {
                one.clear();
                one.add(0, 100 + i % (cap - 100), cache, true);
                Attention.run(pool, one, 0, p, q, k, v, out);
            }
            perStep = (allocated(threads) - before) / 1000.0;
        }
        assertTrue(perStep <= 16 * 1024, type + " cache: " + perStep + " bytes allocated per decode step after 60 s");
    }

    /** Bytes allocated so far by every live thread. */
    private static long allocated(com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            sum += Math.max(0, threads.getThreadAllocatedBytes(id));
        }
        return sum;
    }

    /** Every head of the token at {@code pos}, against float64 attention over the stored keys and values. */
    private static void check(Attention.Params p, float[] q, int qOff, float[][] keys, float[][] values, int pos,
            float[] out, int oOff, String what) {
        int group = p.nHead() / p.nHeadKv();
        int from = p.window() > 0 ? Math.max(0, pos - p.window() + 1) : 0;
        for (int h = 0; h < p.nHead(); h++) {
            int kvh = h / group;
            double[] s = new double[pos + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int t = from; t <= pos; t++) {
                double dot = 0;
                for (int d = 0; d < p.headDimK(); d++) {
                    dot += (double) q[qOff + h * p.headDimK() + d] * keys[t][kvh * p.headDimK() + d];
                }
                dot *= p.scale();
                if (p.softcap() > 0) {
                    dot = p.softcap() * Math.tanh(dot / p.softcap());
                }
                if (p.alibi() != null) {
                    dot -= p.alibi()[h] * (double) (pos - t);
                }
                s[t] = dot;
                max = Math.max(max, dot);
            }
            double sum = 0;
            for (int t = from; t <= pos; t++) {
                s[t] = Math.exp(s[t] - max);
                sum += s[t];
            }
            for (int e = 0; e < p.headDimV(); e++) {
                double o = 0;
                for (int t = from; t <= pos; t++) {
                    o += s[t] / sum * values[t][kvh * p.headDimV() + e];
                }
                float got = out[oOff + h * p.headDimV() + e];
                assertEquals(o, got, 2e-5 * (1 + Math.abs(o)), what + ", head " + h + ", component " + e);
            }
        }
    }

    /** Gaussian, with some values tiny (subnormal as float16) and some signed zeros. */
    private static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
            if (i % 7 == 3) x[i] *= 1e-6f;
            if (i % 13 == 5) x[i] = i % 2 == 0 ? 0f : -0f;
        }
        return x;
    }

    /** The values as the cache holds them: float16 rounds each one. */
    private static float[] stored(KVCache.Type type, float[] x, int off, int n) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = type == KVCache.Type.F16 ? Float.float16ToFloat(Float.floatToFloat16(x[off + i])) : x[off + i];
        }
        return y;
    }
}
