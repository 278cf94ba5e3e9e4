package io.minnow.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minnow.Fixtures;
import io.minnow.gguf.GGUFFile;
import io.minnow.tensor.Parallel;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Logits and greedy tokens against llama.cpp (F32 files, within 2e-3) and against the exact float64 reference
 * (quantized and half-precision files, which Minnow computes in float: within 5e-3). Teacher forcing feeds the
 * prompt and llama.cpp's greedy tokens in one batch; free-running greedy decodes one token at a time.
 */
class ParityTest {
    static final double F32_TOL = 2e-3;
    /**
     * GELU models: llama.cpp evaluates GELU through an FP16 table, which Minnow emulates; rounding at table
     * boundaries still moves a few logits by ~1e-3 (the fixtures README measures up to 1.2e-3 for an exact
     * float64 emulation). The issue allows 2e-2; we hold 5e-3.
     */
    static final double GELU_TOL = 5e-3;
    static final java.util.Set<String> GELU = java.util.Set.of("gemma2", "phi2", "gptneox", "bloom", "gemma", "gemma3");
    static final double F64_TOL = 5e-3;
    static Parallel pool;

    @BeforeAll
    static void start() {
        pool = new Parallel(2);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    static Stream<Arguments> files() {
        return Stream.of("llama-tiny-f32", "llama-tiny-f16", "llama-tiny-bf16", "llama-tiny-q8_0", "llama-tiny-q4_0",
                "llama-tiny-q4_k_m", "llama-tiny-q4_k_s", "llama-tiny-q5_k_m", "llama-tiny-q6_k", "kjv-tiny-f32", "kjv-tiny-q8_0",
                "qwen2-tiny-f32", "qwen3-tiny-f32", "phi3-tiny-f32", "gemma2-tiny-f32", "phi2-tiny-f32",
                "gemma-tiny-f32", "gemma3-tiny-f32", "smollm3-tiny-f32", "gptneox-tiny-f32", "openelm-tiny-f32",
                "bloom-tiny-f32", "stablelm-tiny-f32")
                .flatMap(f -> java.util.stream.IntStream.range(0, 3).mapToObj(p -> Arguments.of(f, p)));
    }

    /** Logits of the last token of each batch step, for the tokens given. */
    static float[][] teacherForced(Model m, int[] tokens, int firstWanted) {
        int v = m.config().nVocab;
        KVCache cache = m.newCache(256);
        Batch b = new Batch(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            b.add(tokens[i], i, cache, i >= firstWanted);
        }
        float[] logits = new float[b.logitRows() * v];
        m.forward(pool, b, logits);
        float[][] rows = new float[b.logitRows()][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = Arrays.copyOfRange(logits, r * v, (r + 1) * v);
        }
        return rows;
    }

    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }

    static int[] greedy(Model m, int[] prompt, int n) {
        int v = m.config().nVocab;
        KVCache cache = m.newCache(256);
        Batch b = new Batch(prompt.length);
        for (int i = 0; i < prompt.length; i++) b.add(prompt[i], i, cache, i == prompt.length - 1);
        float[] logits = new float[v];
        m.forward(pool, b, logits);
        int[] out = new int[n];
        Batch one = new Batch(1);
        for (int t = 0; t < n; t++) {
            out[t] = argmax(logits);
            one.clear();
            one.add(out[t], prompt.length + t, cache, true);
            m.forward(pool, one, logits);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} prompt {1}")
    @MethodSource("files")
    void matchesReference(String file, int promptIndex) {
        Fixtures.Prompt p = Fixtures.expected(file).get(promptIndex);
        boolean f32 = file.endsWith("f32");
        double tol = !f32 ? F64_TOL : GELU.contains(file.substring(0, file.indexOf('-'))) ? GELU_TOL : F32_TOL;
        List<double[][]> ref = f32 ? p.top() : p.refTop();
        int[] refGreedy = f32 ? p.greedyTokens() : p.refGreedy();
        double gap = f32 ? p.gap() : p.refGap();
        try (GGUFFile f = GGUFFile.open(Fixtures.model(file))) {
            Model m = Architectures.load(f);
            int[] seq = new int[p.promptTokens().length + p.greedyTokens().length];
            System.arraycopy(p.promptTokens(), 0, seq, 0, p.promptTokens().length);
            System.arraycopy(p.greedyTokens(), 0, seq, p.promptTokens().length, p.greedyTokens().length);
            float[][] rows = teacherForced(m, seq, p.promptTokens().length - 1);
            double maxErr = 0;
            for (int step = 0; step < ref.size(); step++) {
                for (double[] idLogit : ref.get(step)) {
                    maxErr = Math.max(maxErr, Math.abs(rows[step][(int) idLogit[0]] - idLogit[1]));
                }
            }
            System.out.printf("parity %-20s prompt %d: max |logit error| %.2e (tolerance %.0e)%n", file, promptIndex, maxErr, tol);
            assertTrue(maxErr <= tol, file + " prompt " + promptIndex + ": max logit error " + maxErr + " > " + tol);
            if (gap > 4 * tol) {
                assertArrayEquals(refGreedy, greedy(m, p.promptTokens(), refGreedy.length), file + " greedy tokens");
            }
        }
    }
}
