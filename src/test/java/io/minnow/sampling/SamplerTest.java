package io.minnow.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    static final float[] LOGITS = {1f, 3f, 2.5f, -1f, 0f, 2.9f};

    static int[] draw(SamplingParams p, int n) {
        Sampler s = new Sampler(p);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = s.sample(LOGITS.clone(), 0, LOGITS.length, new int[0], 0);
        return out;
    }

    @Test
    void greedyTakesTheArgmaxWithLowestIdOnTies() {
        assertEquals(1, new Sampler(SamplingParams.greedy()).sample(LOGITS.clone(), 0, 6, new int[0], 0));
        assertEquals(0, Sampler.argmax(new float[] {2f, 2f, 1f}, 0, 3));
    }

    @Test
    void sameSeedSameTokensOtherSeedOtherTokens() {
        SamplingParams p = SamplingParams.builder().temperature(1.5f).seed(42).build();
        assertArrayEquals(draw(p, 200), draw(p, 200));
        assertNotEquals(java.util.Arrays.toString(draw(p, 200)), java.util.Arrays.toString(draw(p.withSeed(43), 200)));
    }

    @Test
    void topKRestrictsToTheKBest() {
        Set<Integer> seen = new HashSet<>();
        for (int t : draw(SamplingParams.builder().temperature(5f).topK(2).seed(1).build(), 500)) seen.add(t);
        assertEquals(Set.of(1, 5), seen);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // probabilities at temperature 1: token 1 ~0.38, 5 ~0.34, 2 ~0.23 ... top_p 0.5 keeps {1, 5}
        Set<Integer> seen = new HashSet<>();
        for (int t : draw(SamplingParams.builder().topP(0.5f).seed(7).build(), 500)) seen.add(t);
        assertEquals(Set.of(1, 5), seen);
    }

    @Test
    void minPDropsUnlikelyTokens() {
        // min_p 0.5: keep tokens with p >= 0.5 * p(top): exp(l - 3) >= 0.5 -> l >= 2.307: tokens 1, 5, 2
        Set<Integer> seen = new HashSet<>();
        for (int t : draw(SamplingParams.builder().minP(0.5f).seed(3).build(), 1000)) seen.add(t);
        assertEquals(Set.of(1, 2, 5), seen);
    }

    @Test
    void frequenciesFollowTheSoftmax() {
        int[] counts = new int[6];
        int n = 20000;
        for (int t : draw(SamplingParams.builder().temperature(1f).seed(11).build(), n)) counts[t]++;
        double z = 0;
        for (float l : LOGITS) z += Math.exp(l);
        for (int i = 0; i < 6; i++) {
            double expected = Math.exp(LOGITS[i]) / z;
            assertEquals(expected, counts[i] / (double) n, 0.015, "token " + i);
        }
    }

    @Test
    void logitBiasAndPenalties() {
        Sampler bias = new Sampler(new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0f, 64, Map.of(3, 10f), 0));
        assertEquals(3, bias.sample(LOGITS.clone(), 0, 6, new int[0], 0));
        // repetition penalty 2 halves token 1's logit (3 -> 1.5): token 5 (2.9) wins
        Sampler rep = new Sampler(new SamplingParams(0f, 0, 1f, 0f, 2f, 0f, 0f, 64, Map.of(), 0));
        assertEquals(5, rep.sample(LOGITS.clone(), 0, 6, new int[] {1}, 1));
        // frequency penalty 0.1 per occurrence: token 1 seen 3 times -> 2.7 < 2.9
        Sampler freq = new Sampler(new SamplingParams(0f, 0, 1f, 0f, 1f, 0f, 0.1f, 64, Map.of(), 0));
        assertEquals(5, freq.sample(LOGITS.clone(), 0, 6, new int[] {1, 1, 1}, 3));
        // presence penalty 0.05 once: 2.95 > 2.9
        Sampler pres = new Sampler(new SamplingParams(0f, 0, 1f, 0f, 1f, 0.05f, 0f, 64, Map.of(), 0));
        assertEquals(1, pres.sample(LOGITS.clone(), 0, 6, new int[] {1, 1, 1}, 3));
        // outside the window (last 1 token) the penalty does not apply
        Sampler window = new Sampler(new SamplingParams(0f, 0, 1f, 0f, 2f, 0f, 0f, 1, Map.of(), 0));
        assertEquals(1, window.sample(LOGITS.clone(), 0, 6, new int[] {1, 4}, 2));
    }

    @Test
    void invalidParametersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().temperature(-0.1f).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().topP(0f).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().topK(-1).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().presencePenalty(3f).build());
    }

    @Test
    void logSoftmaxNormalises() {
        float[] out = new float[6];
        Sampler.logSoftmax(LOGITS, 0, 6, out);
        double s = 0;
        for (float v : out) s += Math.exp(v);
        assertEquals(1.0, s, 1e-5);
        assertTrue(out[1] > out[5]);
    }

    /**
     * The reference: the whole vocabulary sorted by logit (ties by id), top-k, softmax at the temperature over what
     * is left (the whole vocabulary without top-k), top-p, min-p. Returns the probability of each token being drawn.
     */
    static double[] reference(float[] logits, SamplingParams p) {
        int v = logits.length;
        Integer[] order = new Integer[v];
        for (int i = 0; i < v; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        int n = p.topK() > 0 ? Math.min(p.topK(), v) : v;
        double max = logits[order[0]], z = 0;
        double[] prob = new double[n];
        for (int i = 0; i < n; i++) z += prob[i] = Math.exp((logits[order[i]] - max) / p.temperature());
        for (int i = 0; i < n; i++) prob[i] /= z;
        if (p.topP() < 1f) {
            double cum = 0;
            for (int i = 0; i < n; i++) {
                cum += prob[i];
                if (cum >= p.topP()) {
                    n = i + 1;
                    break;
                }
            }
        }
        if (p.minP() > 0f) {
            int keep = 1;
            while (keep < n && prob[keep] >= prob[0] * p.minP()) keep++;
            n = keep;
        }
        double kept = 0;
        for (int i = 0; i < n; i++) kept += prob[i];
        double[] out = new double[v];
        for (int i = 0; i < n; i++) out[order[i]] = prob[i] / kept;
        return out;
    }

    /**
     * A vocabulary of 8,000 (the sampler sorts only the tokens that can matter): every draw is a token the full sort
     * keeps, and each token's frequency follows its probability, for temperature alone, top-p (one nucleus so wide
     * that it needs the lowest weights), top-k with top-p, and min-p.
     */
    @Test
    void largeVocabularyFollowsTheFullSort() {
        java.util.Random rnd = new java.util.Random(5);
        float[] logits = new float[8_000];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (rnd.nextGaussian() * 2.5);
        logits[17] = 14f; // a clear favourite, then a long tail
        logits[4321] = 12.5f;
        logits[9] = 12f;
        // a near-uniform tail below the first floor (each token weighs e^-9.3 of the favourite at temperature 1.5),
        // which holds 40% of the mass, so a 0.9999 nucleus needs all of it
        float[] flat = new float[8_000];
        for (int i = 0; i < flat.length; i++) flat[i] = (float) (rnd.nextGaussian() * 0.3);
        flat[17] = 14f;
        Object[][] cases = {
            {logits, SamplingParams.builder().temperature(0.8f).seed(1).build()},
            {logits, SamplingParams.builder().temperature(0.8f).topP(0.9f).seed(2).build()},
            {logits, SamplingParams.builder().temperature(1.5f).topP(0.9999f).seed(3).build()},
            {flat, SamplingParams.builder().temperature(1.5f).topP(0.9999f).seed(3).build()},
            {logits, SamplingParams.builder().temperature(0.7f).topK(50).topP(0.95f).seed(4).build()},
            {logits, SamplingParams.builder().temperature(1f).minP(0.001f).seed(5).build()},
        };
        int draws = 20_000;
        for (Object[] c : cases) {
            float[] l = (float[]) c[0];
            SamplingParams p = (SamplingParams) c[1];
            double[] want = reference(l, p);
            Sampler s = new Sampler(p);
            int[] counts = new int[l.length];
            for (int i = 0; i < draws; i++) {
                int t = s.sample(l.clone(), 0, l.length, new int[0], 0);
                assertTrue(want[t] > 0, p + ": drew token " + t + ", which the full sort drops");
                counts[t]++;
            }
            double top = java.util.Arrays.stream(want).max().orElseThrow();
            double tail = 0, tailWant = 0, low = 0, lowWant = 0;
            for (int t = 0; t < l.length; t++) {
                if (want[t] > 0.02) {
                    assertEquals(want[t], counts[t] / (double) draws, 0.012, p + ": token " + t);
                } else {
                    tail += counts[t] / (double) draws;
                    tailWant += want[t];
                }
                if (want[t] < top * 1e-4) { // below the sampler's first floor
                    low += counts[t] / (double) draws;
                    lowWant += want[t];
                }
            }
            assertEquals(tailWant, tail, 0.012, p + ": the tail's share");
            assertEquals(lowWant, low, 0.012, p + ": the share of tokens below 1e-4 of the top one");
        }
    }
}
