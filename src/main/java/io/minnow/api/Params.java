package io.minnow.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.minnow.engine.Engine;
import io.minnow.engine.EngineException;
import io.minnow.sampling.SamplingParams;
import io.minnow.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Validation of the request fields both generation endpoints share, with OpenAI's messages and params. */
final class Params {
    static final int MAX_LOGPROBS = 20;

    private Params() {}

    /** The requested model must be the served one; a missing model field means the served one. */
    static void checkModel(String model, Engine engine) {
        if (model != null && !model.isEmpty() && !model.equals(engine.modelName())) {
            throw ApiException.modelNotFound(model);
        }
    }

    /** The session id from the body or the X-Session-Id header (the body wins); at most 256 characters. */
    static String session(String body, String header) {
        String s = body != null && !body.isBlank() ? body : header != null && !header.isBlank() ? header : null;
        if (s != null && s.length() > 256) throw ApiException.invalid("session_id", "session_id must be at most 256 characters");
        return s;
    }

    static int choices(Integer n, int max) {
        if (n == null) return 1;
        if (n < 1) throw ApiException.invalid("n", "n must be at least 1, got " + n);
        if (n > max) throw ApiException.invalid("n", "n must be at most " + max + ", got " + n);
        return n;
    }

    static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) return List.of();
        if (stop.isTextual()) return List.of(stop.asText());
        if (stop.isArray()) {
            List<String> out = new ArrayList<>();
            for (JsonNode s : stop) {
                if (!s.isTextual()) throw ApiException.invalid("stop", "stop must be a string or an array of strings");
                out.add(s.asText());
            }
            if (out.size() > 16) throw ApiException.invalid("stop", "at most 16 stop strings, got " + out.size());
            return out;
        }
        throw ApiException.invalid("stop", "stop must be a string or an array of strings");
    }

    static int logprobs(Integer n, String param) {
        if (n == null) return -1;
        if (n < 0 || n > MAX_LOGPROBS) throw ApiException.invalid(param, param + " must be in 0.." + MAX_LOGPROBS + ", got " + n);
        return n;
    }

    /** Sampling fields; choice {@code i} of a seeded request uses {@code seed + i}. */
    record Sampling(Double temperature, Double topP, Integer topK, Double minP, Double presencePenalty,
            Double frequencyPenalty, Double repetitionPenalty, Map<String, Double> logitBias, Long seed) {

        SamplingParams build(int vocab, long seedBase, int choice) {
            double t = temperature == null ? 1.0 : temperature;
            if (!(t >= 0) || Double.isInfinite(t)) throw ApiException.invalid("temperature", "temperature must be >= 0, got " + temperature);
            double p = topP == null ? 1.0 : topP;
            if (!(p > 0 && p <= 1)) throw ApiException.invalid("top_p", "top_p must be in (0, 1], got " + topP);
            int k = topK == null || topK == -1 ? 0 : topK;
            if (k < 0) throw ApiException.invalid("top_k", "top_k must be -1, 0 (off) or positive, got " + topK);
            double m = minP == null ? 0 : minP;
            if (!(m >= 0 && m <= 1)) throw ApiException.invalid("min_p", "min_p must be in [0, 1], got " + minP);
            double pp = penalty(presencePenalty, "presence_penalty");
            double fp = penalty(frequencyPenalty, "frequency_penalty");
            double rp = repetitionPenalty == null ? 1 : repetitionPenalty;
            if (!(rp > 0) || Double.isInfinite(rp)) throw ApiException.invalid("repetition_penalty", "repetition_penalty must be > 0, got " + repetitionPenalty);
            return SamplingParams.builder().temperature((float) t).topP((float) p).topK(k).minP((float) m)
                    .presencePenalty((float) pp).frequencyPenalty((float) fp).repetitionPenalty((float) rp)
                    .logitBias(bias(vocab)).seed(seedBase + choice).build();
        }

        long seedBase() {
            return seed != null ? seed : ThreadLocalRandom.current().nextLong();
        }

        private static double penalty(Double v, String name) {
            if (v == null) return 0;
            if (!(v >= -2 && v <= 2)) throw ApiException.invalid(name, name + " must be in [-2, 2], got " + v);
            return v;
        }

        private Map<Integer, Float> bias(int vocab) {
            if (logitBias == null || logitBias.isEmpty()) return Map.of();
            Map<Integer, Float> out = new HashMap<>();
            for (var e : logitBias.entrySet()) {
                int id;
                try {
                    id = Integer.parseInt(e.getKey().trim());
                } catch (NumberFormatException ex) {
                    throw ApiException.invalid("logit_bias", "logit_bias keys must be token ids, got '" + e.getKey() + "'");
                }
                if (id < 0 || id >= vocab) throw ApiException.invalid("logit_bias", "token id " + id + " is outside the vocabulary (0.." + (vocab - 1) + ")");
                Double v = e.getValue();
                if (v == null || !(v >= -100 && v <= 100)) throw ApiException.invalid("logit_bias", "logit_bias values must be in [-100, 100], got " + v);
                out.put(id, v.floatValue());
            }
            return out;
        }
    }

    /** One prompt: its tokens and its text (for echo). */
    record Prompt(int[] tokens, String text) {}

    /** {@code prompt}: a string, an array of strings, an array of token ids, or an array of arrays of token ids. */
    static List<Prompt> prompts(JsonNode prompt, Engine engine) {
        Tokenizer tok = engine.tokenizer();
        if (prompt == null || prompt.isNull()) throw ApiException.invalid("prompt", "prompt is required");
        List<Prompt> out = new ArrayList<>();
        if (prompt.isTextual()) {
            out.add(text(prompt.asText(), tok));
        } else if (prompt.isArray() && !prompt.isEmpty()) {
            JsonNode first = prompt.get(0);
            if (first.isTextual()) {
                for (JsonNode p : prompt) {
                    if (!p.isTextual()) throw badPrompt();
                    out.add(text(p.asText(), tok));
                }
            } else if (first.isIntegralNumber()) {
                out.add(tokens(prompt, engine));
            } else if (first.isArray()) {
                for (JsonNode p : prompt) {
                    if (!p.isArray() || p.isEmpty()) throw badPrompt();
                    out.add(tokens(p, engine));
                }
            } else {
                throw badPrompt();
            }
        } else {
            throw badPrompt();
        }
        for (Prompt p : out) checkLength(p.tokens().length, engine);
        return out;
    }

    static void checkLength(int promptTokens, Engine engine) {
        if (promptTokens > engine.contextSize()) {
            throw new EngineException(EngineException.Kind.CONTEXT_LENGTH_EXCEEDED, "This model's maximum context length is "
                    + engine.contextSize() + " tokens. However, your prompt has " + promptTokens + " tokens.");
        }
    }

    private static Prompt text(String s, Tokenizer tok) {
        return new Prompt(tok.encode(s, true, true), s);
    }

    private static Prompt tokens(JsonNode arr, Engine engine) {
        int vocab = engine.config().nVocab;
        int[] ids = new int[arr.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = arr.get(i);
            if (!t.isIntegralNumber()) throw badPrompt();
            ids[i] = t.asInt();
            if (ids[i] < 0 || ids[i] >= vocab) throw ApiException.invalid("prompt", "token id " + ids[i] + " is outside the vocabulary (0.." + (vocab - 1) + ")");
        }
        return new Prompt(ids, engine.tokenizer().decode(ids));
    }

    private static ApiException badPrompt() {
        return ApiException.invalid("prompt", "prompt must be a string, an array of strings, an array of token ids or an array of arrays of token ids");
    }
}
