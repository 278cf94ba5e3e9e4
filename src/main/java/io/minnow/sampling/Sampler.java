package io.minnow.sampling;

import io.minnow.tensor.Exp;
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
    /** softmax weights in token order, reused between calls. [vocab] */
    private float[] weights = new float[0];

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
            weights = new float[vocab];
        }
        float max = logits[off + argmax(logits, off, vocab)];
        int n;
        if (params.topK() > 0 && params.topK() < vocab) {
            // top-k, then the softmax over those k (the order llama.cpp applies them in)
            n = Math.min(params.topK(), sortedAbove(logits, off, vocab, cutoffForCount(logits, off, vocab, max, params.topK())));
            double sum = 0;
            for (int i = 0; i < n; i++) {
                float p = (float) Math.exp((logits[off + ids[i]] - max) / params.temperature());
                probs[i] = p;
                sum += p;
            }
            for (int i = 0; i < n; i++) probs[i] /= (float) sum;
            n = topP(n);
        } else {
            // the softmax over the whole vocabulary; only the tokens that can matter are sorted
            double total = weights(logits, off, vocab, max);
            if (params.topP() >= 1f && params.minP() <= 0f) {
                return draw(total, vocab); // temperature alone: no order needed
            }
            n = -1;
            for (float floor : FLOORS) {
                // the tokens with weight >= floor are a prefix of the full descending order (every other token
                // weighs less), so if the nucleus (or the min-p set) lies inside them, the result is the same as
                // sorting the whole vocabulary; otherwise try a lower floor (the last, 0, takes every token)
                // without top-p only min-p cuts: its set is the tokens weighing at least min_p (half that here, so
                // that rounding cannot drop a token at the edge; the min-p step below makes the exact cut)
                float f = params.topP() >= 1f ? params.minP() * 0.5f : floor;
                int m = sortedAbove(weights, 0, vocab, f);
                for (int i = 0; i < m; i++) probs[i] = weights[ids[i]] / (float) total;
                if (params.topP() >= 1f) {
                    n = m;
                    break;
                }
                int cut = nucleus(m);
                if (cut >= 0 || f == 0f) {
                    n = cut >= 0 ? cut : m;
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

    /** Weight floors tried for the nucleus, relative to the top token's weight of 1; the last takes every token. */
    private static final float[] FLOORS = {1e-4f, 1e-8f, 0f};

    /** top-p on {@code probs[0 .. n)} (descending): the length of the smallest prefix whose mass reaches top_p. */
    private int topP(int n) {
        if (params.topP() >= 1f) {
            return n;
        }
        int cut = nucleus(n);
        return cut >= 0 ? cut : n;
    }

    /** The length of the smallest prefix of {@code probs[0 .. n)} whose mass reaches top_p, or -1 if none does. */
    private int nucleus(int n) {
        double cum = 0;
        for (int i = 0; i < n; i++) {
            cum += probs[i];
            if (cum >= params.topP()) {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * {@code weights[i] = exp((logit_i - max) / T)} for every token, in token order; returns their sum. The top token
     * weighs 1.
     */
    private double weights(float[] logits, int off, int vocab, float max) {
        return Exp.shifted(logits, off, weights, 0, vocab, max, params.temperature());
    }

    /** A draw from all tokens in proportion to {@link #weights} (pure temperature sampling). */
    private int draw(double total, int vocab) {
        double r = random.nextDouble() * total;
        double cum = 0;
        int last = 0;
        for (int i = 0; i < vocab; i++) {
            float w = weights[i];
            if (w == 0f) continue;
            cum += w;
            last = i;
            if (r < cum) return i;
        }
        return last;
    }

    /** The largest cutoff {@code max - d} (d = 1, 2, 4, ...) with at least {@code k} logits at or above it. */
    private static float cutoffForCount(float[] logits, int off, int vocab, float max, int k) {
        for (float d = 1f; d < 1e6f; d *= 2f) {
            float cutoff = max - d;
            int count = 0;
            for (int i = 0; i < vocab; i++) {
                if (logits[off + i] >= cutoff) count++;
            }
            if (count >= k) return cutoff;
        }
        return Float.NEGATIVE_INFINITY;
    }

    /**
     * Puts the ids of the values {@code v[off + i] >= floor} in {@code ids}, sorted by value descending (lower id first
     * on ties), and returns how many there are. A primitive sort over packed keys avoids boxing.
     */
    private int sortedAbove(float[] v, int off, int vocab, float floor) {
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            float x = v[off + i];
            if (x >= floor || floor == Float.NEGATIVE_INFINITY) {
                int bits = Float.floatToRawIntBits(x);
                int sortable = bits >= 0 ? bits : bits ^ 0x7fffffff; // monotone int order of floats
                keys[n++] = ((long) ~sortable << 32) | (i & 0xffffffffL);
            }
        }
        Arrays.sort(keys, 0, n);
        for (int i = 0; i < n; i++) ids[i] = (int) keys[i];
        return n;
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
