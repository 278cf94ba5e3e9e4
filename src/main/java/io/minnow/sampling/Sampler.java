package io.minnow.sampling;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Chooses tokens from logits: logit bias, then penalties, then greedy argmax (temperature 0) or temperature,
 * top-k, top-p, min-p and a draw from a generator seeded by the request. One sampler serves one sequence.
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;
    /** candidate ids and probabilities, reused between calls. [vocab] */
    private int[] ids = new int[0];
    private float[] probs = new float[0];
    /** sort keys (logit, id) packed in longs, reused between calls. [vocab] */
    private long[] keys = new long[0];

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    public SamplingParams params() {
        return params;
    }

    /**
     * Picks the next token. {@code logits[off .. off+vocab)} are modified (bias and penalties applied).
     *
     * @param history the sequence so far (prompt and generated tokens), {@code historyLen} of them
     */
    public int sample(float[] logits, int off, int vocab, int[] history, int historyLen) {
        applyBiasAndPenalties(logits, off, vocab, history, historyLen);
        if (params.isGreedy()) {
            return argmax(logits, off, vocab);
        }
        if (ids.length < vocab) {
            ids = new int[vocab];
            probs = new float[vocab];
            keys = new long[vocab];
        }
        int n = vocab;
        for (int i = 0; i < vocab; i++) ids[i] = i;
        // top-k: keep the k largest (partial order not needed: sort candidates by logit descending)
        sortByLogitDesc(logits, off, n);
        if (params.topK() > 0 && params.topK() < n) {
            n = params.topK();
        }
        // softmax with temperature
        float max = logits[off + ids[0]];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float p = (float) Math.exp((logits[off + ids[i]] - max) / params.temperature());
            probs[i] = p;
            sum += p;
        }
        for (int i = 0; i < n; i++) probs[i] /= (float) sum;
        // top-p: smallest prefix whose mass reaches top_p
        if (params.topP() < 1f) {
            double cum = 0;
            for (int i = 0; i < n; i++) {
                cum += probs[i];
                if (cum >= params.topP()) {
                    n = i + 1;
                    break;
                }
            }
        }
        // min-p: drop tokens below min_p times the top probability
        if (params.minP() > 0f) {
            float threshold = probs[0] * params.minP();
            int keep = 1;
            while (keep < n && probs[keep] >= threshold) keep++;
            n = keep;
        }
        double total = 0;
        for (int i = 0; i < n; i++) total += probs[i];
        double r = random.nextDouble() * total;
        double cum = 0;
        for (int i = 0; i < n; i++) {
            cum += probs[i];
            if (r < cum) return ids[i];
        }
        return ids[n - 1];
    }

    private void applyBiasAndPenalties(float[] logits, int off, int vocab, int[] history, int historyLen) {
        for (Map.Entry<Integer, Float> e : params.logitBias().entrySet()) {
            int id = e.getKey();
            if (id >= 0 && id < vocab) logits[off + id] += e.getValue();
        }
        boolean rep = params.repetitionPenalty() != 1f;
        boolean pf = params.presencePenalty() != 0f || params.frequencyPenalty() != 0f;
        if (!rep && !pf || historyLen == 0) {
            return;
        }
        int from = params.penaltyLastN() == 0 ? historyLen : Math.max(0, historyLen - params.penaltyLastN());
        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = from; i < historyLen; i++) {
            counts.merge(history[i], 1, Integer::sum);
        }
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
            int id = e.getKey();
            if (id < 0 || id >= vocab) continue;
            float l = logits[off + id];
            if (rep) l = l > 0 ? l / params.repetitionPenalty() : l * params.repetitionPenalty();
            l -= params.presencePenalty() + params.frequencyPenalty() * e.getValue();
            logits[off + id] = l;
        }
    }

    private void sortByLogitDesc(float[] logits, int off, int n) {
        // sort ids by logit descending; a primitive sort over packed keys avoids boxing
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(logits[off + i]);
            int sortable = bits >= 0 ? bits : bits ^ 0x7fffffff; // monotone int order of floats
            keys[i] = ((long) ~sortable << 32) | (i & 0xffffffffL);
        }
        Arrays.sort(keys, 0, n);
        for (int i = 0; i < n; i++) ids[i] = (int) keys[i];
    }

    /** Index of the largest value (lowest index on ties), as llama.cpp's greedy sampler. */
    public static int argmax(float[] logits, int off, int n) {
        int best = 0;
        float bv = logits[off];
        for (int i = 1; i < n; i++) {
            if (logits[off + i] > bv) {
                bv = logits[off + i];
                best = i;
            }
        }
        return best;
    }

    /** Natural-log softmax of {@code logits[off .. off+n)} into {@code out}. */
    public static void logSoftmax(float[] logits, int off, int n, float[] out) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(logits[off + i] - max);
        float lse = max + (float) Math.log(sum);
        for (int i = 0; i < n; i++) out[i] = logits[off + i] - lse;
    }
}
