package io.minnow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.minnow.engine.Engine;
import io.minnow.engine.GenerationRequest;
import io.minnow.sampling.SamplingParams;
import java.util.List;

/**
 * {@code generate --prompt TEXT [--model FILE] [--max-tokens N] [--temperature T] [--top-p P] [--top-k K]
 * [--min-p P] [--seed S] [--threads N] [--json]}: one completion, greedy unless a temperature is given.
 */
final class GenerateCommand {
    private GenerateCommand() {}

    static int run(Args a) {
        String prompt = a.string("prompt", null);
        if (prompt == null) throw new Args.UsageException("--prompt is required");
        int maxTokens = a.integer("max-tokens", 64);
        SamplingParams sampling = SamplingParams.builder()
                .temperature(a.number("temperature", 0f))
                .topP(a.number("top-p", 1f))
                .topK(a.integer("top-k", 0))
                .minP(a.number("min-p", 0f))
                .repetitionPenalty(a.number("repeat-penalty", 1f))
                .seed(a.longValue("seed", System.nanoTime()))
                .build();
        boolean json = a.flag("json");
        var options = a.engineOptions(1);
        var model = a.model();
        a.checkAllUsed();
        try (Engine engine = Engine.load(model, options, null)) {
            int[] tokens = engine.tokenizer().encode(prompt, true, false);
            var r = engine.generate(new GenerationRequest(tokens, maxTokens, sampling, List.of(), false, -1, false, null));
            double decodeSeconds = r.decodeNanos() / 1e9;
            double tps = r.tokens().length > 1 && decodeSeconds > 0 ? (r.tokens().length - 1) / decodeSeconds : 0;
            if (json) {
                ObjectMapper m = new ObjectMapper();
                ObjectNode o = m.createObjectNode();
                o.set("prompt_tokens", m.valueToTree(tokens));
                o.set("tokens", m.valueToTree(r.tokens()));
                o.put("text", r.text());
                o.put("finish_reason", r.finishReason().wire);
                o.put("prompt_ms", r.promptNanos() / 1e6);
                o.put("decode_tokens_per_s", tps);
                a.out.println(o);
            } else {
                a.out.println(prompt + r.text());
                a.err.printf("%n[%s: %d prompt tokens in %.1f ms, %d tokens at %.1f tokens/s, finish: %s]%n", engine.modelName(),
                        tokens.length, r.promptNanos() / 1e6, r.tokens().length, tps, r.finishReason().wire);
            }
        }
        return 0;
    }
}
