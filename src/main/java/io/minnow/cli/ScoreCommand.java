package io.minnow.cli;

import io.minnow.engine.Engine;
import java.util.Arrays;

/**
 * {@code score --tokens 1,403,407 [--model FILE] [--top 10] [--json]}: feeds the token ids and prints, for every
 * position, the top-k {@code [id, logit]} pairs of the raw logits.
 */
final class ScoreCommand {
    private ScoreCommand() {}

    static int run(Args a) {
        String list = a.string("tokens", null);
        if (list == null) throw new Args.UsageException("--tokens is required (comma-separated token ids)");
        int[] tokens;
        try {
            tokens = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new Args.UsageException("--tokens must be comma-separated integers, got '" + list + "'");
        }
        int top = a.integer("top", 10);
        if (top < 1) throw new Args.UsageException("--top must be at least 1");
        boolean json = a.flag("json");
        var options = a.engineOptions(1);
        var model = a.model();
        a.checkAllUsed();
        try (Engine engine = Engine.load(model, options, null)) {
            for (int t : tokens) {
                if (t < 0 || t >= engine.config().nVocab) {
                    throw new IllegalArgumentException("token id " + t + " is outside the vocabulary (0.." + (engine.config().nVocab - 1) + ")");
                }
            }
            float[][] logits = engine.logits(tokens);
            StringBuilder sb = new StringBuilder(json ? "{\"positions\":[" : "");
            for (int p = 0; p < logits.length; p++) {
                int[] best = topK(logits[p], Math.min(top, logits[p].length));
                if (json) {
                    sb.append(p == 0 ? "[" : ",[");
                    for (int i = 0; i < best.length; i++) {
                        sb.append(i == 0 ? "[" : ",[").append(best[i]).append(',').append(logits[p][best[i]]).append(']');
                    }
                    sb.append(']');
                } else {
                    sb.append("position ").append(p).append(" (token ").append(tokens[p]).append("):");
                    for (int b : best) sb.append(' ').append(b).append('=').append(logits[p][b]);
                    sb.append('\n');
                }
            }
            if (json) sb.append("]}");
            a.out.print(sb);
            if (json) a.out.println();
        }
        return 0;
    }

    static int[] topK(float[] v, int k) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) idx[i] = i;
        Arrays.sort(idx, (x, y) -> v[y] != v[x] ? Float.compare(v[y], v[x]) : Integer.compare(x, y));
        int[] r = new int[k];
        for (int i = 0; i < k; i++) r[i] = idx[i];
        return r;
    }
}
