package io.minnow.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.minnow.api.GenerationEvents.Event;
import io.minnow.api.GenerationEvents.Finished;
import io.minnow.api.GenerationEvents.PromptLogprobs;
import io.minnow.api.GenerationEvents.Token;
import io.minnow.engine.Engine;
import io.minnow.engine.GenerationRequest;
import io.minnow.engine.TokenLogprob;
import io.minnow.tokenizer.Tokenizer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestMulti;

/** {@code /v1/completions}: validation, the engine requests, and the responses (whole or streamed). */
@ApplicationScoped
public class CompletionService {
    static final int DEFAULT_MAX_TOKENS = 16;

    private final ModelHost host;
    private final ObjectMapper json;

    public CompletionService(ModelHost host, ObjectMapper json) {
        this.host = host;
        this.json = json;
    }

    public RestMulti<String> complete(CompletionRequest r, String sessionHeader) {
        if (r == null) throw ApiException.invalid(null, "the request body is required");
        String session = Params.session(r.sessionId(), sessionHeader);
        Engine engine = host.engine();
        Params.checkModel(r.model(), engine);
        int n = Params.choices(r.n(), host.maxChoices());
        boolean echo = Boolean.TRUE.equals(r.echo());
        int maxTokens = r.maxTokens() == null ? DEFAULT_MAX_TOKENS : r.maxTokens();
        if (maxTokens < 0 || maxTokens == 0 && !echo) {
            throw ApiException.invalid("max_tokens", "max_tokens must be at least 1 (0 only with echo), got " + maxTokens);
        }
        int logprobs = Params.logprobs(r.logprobs(), "logprobs");
        List<String> stop = Params.stops(r.stop());
        var sampling = new Params.Sampling(r.temperature(), r.topP(), r.topK(), r.minP(), r.presencePenalty(),
                r.frequencyPenalty(), r.repetitionPenalty(), r.logitBias(), r.seed());
        long seed = sampling.seedBase();
        List<Params.Prompt> prompts = Params.prompts(r.prompt(), engine);
        int vocab = engine.config().nVocab;
        List<GenerationRequest> requests = new ArrayList<>();
        List<Params.Prompt> promptOf = new ArrayList<>();
        int promptTokens = 0;
        for (Params.Prompt p : prompts) {
            promptTokens += p.tokens().length;
            for (int j = 0; j < n; j++) {
                requests.add(new GenerationRequest(p.tokens(), maxTokens, sampling.build(vocab, seed, requests.size()), stop,
                        Boolean.TRUE.equals(r.ignoreEos()), logprobs, echo && logprobs >= 0, requests.isEmpty() ? session : null));
                promptOf.add(p);
            }
        }
        var run = new Run(Wire.id("cmpl-"), Wire.now(), engine.modelName(), engine.tokenizer(), promptOf, echo, logprobs >= 0, promptTokens);
        return Wire.respond(engine, requests, run, r.stream(),
                r.streamOptions() == null ? null : r.streamOptions().includeUsage(), json);
    }

    /** The state of one request's choices while their events come in. */
    private static final class Run implements Wire.Responder {
        final String id;
        final long created;
        final String model;
        final Tokenizer tok;
        final List<Params.Prompt> prompts;
        final boolean echo;
        final boolean logprobs;
        final int promptTokens;
        final boolean[] started;
        final LogprobsBuilder[] lps;
        int completionTokens;
        int cachedTokens;

        Run(String id, long created, String model, Tokenizer tok, List<Params.Prompt> prompts, boolean echo, boolean logprobs, int promptTokens) {
            this.id = id;
            this.created = created;
            this.model = model;
            this.tok = tok;
            this.prompts = prompts;
            this.echo = echo;
            this.logprobs = logprobs;
            this.promptTokens = promptTokens;
            this.started = new boolean[prompts.size()];
            this.lps = new LogprobsBuilder[prompts.size()];
            for (int i = 0; i < lps.length; i++) lps[i] = new LogprobsBuilder();
        }

        /** The chunks one event gives when streaming. */
        @Override
        public List<Object> chunks(Event e, boolean withUsage) {
            int i = e.index();
            List<Object> out = new ArrayList<>(2);
            Object usage = withUsage ? NullNode.instance : null;
            if (!started[i]) {
                started[i] = true;
                if (echo) {
                    if (e instanceof PromptLogprobs p) addPrompt(i, p.logprobs());
                    out.add(chunk(i, prompts.get(i).text(), logprobs ? lps[i].drain() : null, null, usage));
                }
                if (e instanceof PromptLogprobs) return out;
            }
            switch (e) {
                case Token t -> {
                    if (logprobs) lps[i].add(tok, t.token(), t.logprob());
                    if (!t.text().isEmpty() || logprobs) out.add(chunk(i, t.text(), logprobs ? lps[i].drain() : null, null, usage));
                }
                case Finished f -> {
                    completionTokens += f.usage().completionTokens();
                    cachedTokens += f.usage().cachedTokens();
                    out.add(chunk(i, f.text(), logprobs ? lps[i].drain() : null, f.reason().wire, usage));
                }
                case PromptLogprobs p -> { }
            }
            return out;
        }

        @Override
        public CompletionResponse usageChunk() {
            return new CompletionResponse(id, "text_completion", created, model, List.of(), Usage.of(promptTokens, completionTokens, cachedTokens));
        }

        @Override
        public CompletionResponse whole(List<Event> events) {
            StringBuilder[] text = new StringBuilder[prompts.size()];
            String[] finish = new String[prompts.size()];
            for (int i = 0; i < text.length; i++) text[i] = new StringBuilder(echo ? prompts.get(i).text() : "");
            for (Event e : events) {
                int i = e.index();
                switch (e) {
                    case PromptLogprobs p -> addPrompt(i, p.logprobs());
                    case Token t -> {
                        text[i].append(t.text());
                        if (logprobs) lps[i].add(tok, t.token(), t.logprob());
                    }
                    case Finished f -> {
                        text[i].append(f.text());
                        finish[i] = f.reason().wire;
                        completionTokens += f.usage().completionTokens();
                        cachedTokens += f.usage().cachedTokens();
                    }
                }
            }
            List<CompletionResponse.Choice> choices = new ArrayList<>();
            for (int i = 0; i < text.length; i++) {
                choices.add(new CompletionResponse.Choice(i, text[i].toString(), logprobs ? lps[i].drain() : null, finish[i]));
            }
            return new CompletionResponse(id, "text_completion", created, model, choices, Usage.of(promptTokens, completionTokens, cachedTokens));
        }

        private void addPrompt(int i, List<TokenLogprob> promptLps) {
            int[] tokens = prompts.get(i).tokens();
            for (int k = 0; k < tokens.length; k++) {
                lps[i].add(tok, tokens[k], k < promptLps.size() ? promptLps.get(k) : null);
            }
        }

        private CompletionResponse chunk(int i, String text, CompletionResponse.Logprobs lp, String finish, Object usage) {
            return new CompletionResponse(id, "text_completion", created, model,
                    List.of(new CompletionResponse.Choice(i, text, lp, finish)), usage);
        }
    }

    /** Legacy log-probabilities of one choice; text offsets run on across drains. */
    static final class LogprobsBuilder {
        private List<String> tokens = new ArrayList<>();
        private List<Float> logprobs = new ArrayList<>();
        private List<Map<String, Float>> top = new ArrayList<>();
        private List<Integer> offsets = new ArrayList<>();
        private int offset;

        void add(Tokenizer tok, int token, TokenLogprob lp) {
            String text = Wire.tokenText(tok, token);
            tokens.add(text);
            offsets.add(offset);
            // control tokens (BOS) show in tokens with their text, but add nothing to the text the offsets point into
            offset += new String(tok.tokenBytes(token), java.nio.charset.StandardCharsets.UTF_8).length();
            if (lp == null) {
                logprobs.add(null);
                top.add(null);
                return;
            }
            logprobs.add(Wire.finite(lp.logprob()));
            Map<String, Float> m = new LinkedHashMap<>();
            for (TokenLogprob.Alternative a : lp.top()) m.putIfAbsent(Wire.tokenText(tok, a.token()), Wire.finite(a.logprob()));
            m.putIfAbsent(text, Wire.finite(lp.logprob()));
            top.add(m);
        }

        CompletionResponse.Logprobs drain() {
            var out = new CompletionResponse.Logprobs(tokens, logprobs, top, offsets);
            tokens = new ArrayList<>();
            logprobs = new ArrayList<>();
            top = new ArrayList<>();
            offsets = new ArrayList<>();
            return out;
        }
    }
}
