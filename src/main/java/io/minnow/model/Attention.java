package io.minnow.model;

import io.minnow.tensor.Exp;
import io.minnow.tensor.Parallel;

/**
 * Causal self-attention over a sequence's KV cache, for every token of a batch. Grouped-query and multi-query
 * attention share KV heads; optional sliding window, logit soft-capping and ALiBi.
 */
public final class Attention {
    private Attention() {}

    /** Per-layer settings. {@code window} 0 = full attention; {@code softcap} 0 = none; {@code alibi} null = none. */
    public record Params(int nHead, int nHeadKv, int headDimK, int headDimV, float scale, int window, float softcap, float[] alibi) {}

    /**
     * Multiply-adds below which attention runs on the calling thread: handing heads to the pool's other thread cost
     * more than it saved. smollm2-135m decode over its first 64 positions (at most 74K multiply-adds per layer),
     * 3 alternating pairs: 7.33-7.47 / 6.71-6.78 / 6.38-6.44 against 7.70-7.80 / 7.83-8.05 / 6.70-6.77 ms per token
     * (median); after 256 positions (295K), even.
     */
    static final long SERIAL_WORK = 1 << 17;

    /** Scores of one head over the attended positions, per thread, grown as contexts grow (no allocation per head). */
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[256]);

    /**
     * Stores the batch's keys and values in their caches, then computes attention for every token and head.
     *
     * @param k   [batch][nHeadKv * headDimK] keys after RoPE
     * @param v   [batch][nHeadKv * headDimV] values
     * @param q   [batch][nHead * headDimK] queries after RoPE
     * @param out [batch][nHead * headDimV] result
     */
    public static void run(Parallel pool, Batch batch, int layer, Params p, float[] q, float[] k, float[] v, float[] out) {
        int n = batch.size();
        int kDim = p.nHeadKv * p.headDimK;
        int vDim = p.nHeadKv * p.headDimV;
        for (int i = 0; i < n; i++) {
            KVCache c = batch.caches[i];
            int pos = batch.positions[i];
            c.store(layer, pos, k, i * kDim, kDim, v, i * vDim, vDim);
        }
        int group = p.nHead / p.nHeadKv;
        long work = 0; // multiply-adds: every head's scores and weighted values over its context
        for (int i = 0; i < n; i++) {
            int pos = batch.positions[i];
            work += (long) (pos - (p.window > 0 ? Math.max(0, pos - p.window + 1) : 0) + 1) * p.nHead
                    * (p.headDimK + p.headDimV);
        }
        // below SERIAL_WORK, on the calling thread alone (one range of all the tasks)
        pool.forRange(n * p.nHead, work < SERIAL_WORK ? n * p.nHead : 1, (start, end) -> {
            float[] scores = SCORES.get();
            for (int task = start; task < end; task++) {
                int i = task / p.nHead;
                int h = task % p.nHead;
                int kvh = h / group;
                int pos = batch.positions[i];
                KVCache cache = batch.caches[i];
                int from = p.window > 0 ? Math.max(0, pos - p.window + 1) : 0;
                int len = pos - from + 1;
                if (scores.length < KVCache.scoresLength(len)) {
                    scores = new float[Math.max(KVCache.scoresLength(len), 2 * scores.length)];
                    SCORES.set(scores);
                }
                int qOff = i * p.nHead * p.headDimK + h * p.headDimK;
                int sh = cache.keyScores(layer, kvh, q, qOff, from, len, scores); // position from + t at sh + t
                float max = Float.NEGATIVE_INFINITY;
                for (int t = 0; t < len; t++) {
                    float s = scores[sh + t] * p.scale;
                    if (p.softcap > 0) {
                        s = Activation.softcap(s, p.softcap);
                    }
                    if (p.alibi != null) {
                        s -= p.alibi[h] * (pos - (from + t));
                    }
                    scores[sh + t] = s;
                    max = Math.max(max, s);
                }
                float sum = Exp.shifted(scores, sh, scores, sh, len, max, 1f);
                int oOff = i * p.nHead * p.headDimV + h * p.headDimV;
                cache.weightedValues(layer, kvh, scores, sh, 1f / sum, from, len, out, oOff);
            }
        });
    }
}
