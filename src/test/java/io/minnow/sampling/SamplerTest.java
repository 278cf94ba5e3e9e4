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
}
