package io.minnow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test fixtures copied from llama.cpp's reference outputs into src/test/resources. */
public final class Fixtures {
    private Fixtures() {}

    public static Path resource(String name) {
        var url = Fixtures.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException("test resource missing: " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path model(String name) {
        return resource("models/" + name + ".gguf");
    }

    /** One prompt of an expected-output file. top[i] holds the (id, logit) pairs after i generated tokens. */
    public record Prompt(String text, int[] promptTokens, int[] greedyTokens, double gap, List<double[][]> top,
            int[] refGreedy, double refGap, List<double[][]> refTop) {}

    public static List<Prompt> expected(String name) {
        try {
            JsonNode root = new ObjectMapper().readTree(resource("expected/" + name + ".json").toFile());
            List<Prompt> out = new ArrayList<>();
            for (JsonNode p : root.get("prompts")) {
                JsonNode ref = p.get("reference_f64");
                out.add(new Prompt(p.get("text").asText(), ints(p.get("prompt_tokens")), ints(p.get("greedy_tokens")),
                        p.get("min_top1_top2_gap").asDouble(), tops(p.get("top_logits")),
                        ref == null ? null : ints(ref.get("greedy_tokens")),
                        ref == null ? Double.NaN : ref.get("min_top1_top2_gap").asDouble(),
                        ref == null ? null : tops(ref.get("teacher_forced_top_logits"))));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    private static List<double[][]> tops(JsonNode a) {
        List<double[][]> r = new ArrayList<>();
        for (JsonNode step : a) {
            double[][] s = new double[step.size()][];
            for (int i = 0; i < s.length; i++) {
                s[i] = new double[] {step.get(i).get(0).asDouble(), step.get(i).get(1).asDouble()};
            }
            r.add(s);
        }
        return r;
    }
}
