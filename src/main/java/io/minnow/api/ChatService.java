package io.minnow.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.minnow.api.GenerationEvents.Event;
import io.minnow.api.GenerationEvents.Finished;
import io.minnow.api.GenerationEvents.PromptLogprobs;
import io.minnow.api.GenerationEvents.Token;
import io.minnow.engine.Engine;
import io.minnow.engine.GenerationRequest;
import io.minnow.engine.TokenLogprob;
import io.minnow.gguf.Names;
import io.minnow.tokenizer.Tokenizer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.jboss.resteasy.reactive.RestMulti;

/** {@code /v1/chat/completions}: the chat template, the engine requests, and the responses (whole or streamed). */
@ApplicationScoped
public class ChatService {
    private final ModelHost host;
    private final ObjectMapper json;
    private volatile ChatTemplate template;
    private volatile Engine templateEngine;

    public ChatService(ModelHost host, ObjectMapper json) {
        this.host = host;
        this.json = json;
    }

    /** The served model's chat template (or the plain fallback). */
    public ChatTemplate template(Engine engine) {
        if (templateEngine != engine) {
            Tokenizer tok = engine.tokenizer();
            String source = engine.model().file().getString(Names.TOKENIZER_CHAT_TEMPLATE, null);
            template = new ChatTemplate(source, special(tok, tok.bos()), special(tok, tok.eos()));
            templateEngine = engine;
        }
        return template;
    }

    static String special(Tokenizer tok, int id) {
        return id < 0 ? "" : tok.tokenText(id);
    }

    /** Normalises the messages: roles checked, content parts joined. */
    static List<ChatTemplate.Turn> turns(List<ChatRequest.Message> messages) {
        if (messages == null || messages.isEmpty()) throw ApiException.invalid("messages", "messages must be a non-empty array");
        List<ChatTemplate.Turn> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatRequest.Message m = messages.get(i);
            String param = "messages.[" + i + "]";
            if (m == null || m.role() == null) throw ApiException.invalid(param + ".role", "every message needs a role");
            String role = switch (m.role()) {
                case "system", "user", "assistant" -> m.role();
                case "developer" -> "system";
                default -> throw ApiException.invalid(param + ".role", "unsupported role '" + m.role() + "' (system, developer, user, assistant)");
            };
            out.add(new ChatTemplate.Turn(role, content(m.content(), param + ".content")));
        }
        return out;
    }

    private static String content(JsonNode c, String param) {
        if (c == null || c.isNull()) return "";
        if (c.isTextual()) return c.asText();
        if (c.isArray()) {
            List<String> parts = new ArrayList<>();
            for (JsonNode p : c) {
                if (!p.isObject() || !"text".equals(p.path("type").asText()) || !p.path("text").isTextual()) {
                    throw ApiException.invalid(param, "only text content parts ({\"type\":\"text\",\"text\":...}) are supported");
                }
                parts.add(p.get("text").asText());
            }
            return String.join("\n", parts);
        }
        throw ApiException.invalid(param, "content must be a string or an array of text parts");
    }

    /** The prompt tokens of rendered messages. */
    int[] promptTokens(Engine engine, ChatTemplate.Rendered r) {
        return engine.tokenizer().encode(r.text(), r.addSpecial(), true);
    }

    public RestMulti<String> chat(ChatRequest r, String sessionHeader) {
        if (r == null) throw ApiException.invalid(null, "the request body is required");
        String session = Params.session(r.sessionId(), sessionHeader);
        Engine engine = host.engine();
        Params.checkModel(r.model(), engine);
        int n = Params.choices(r.n(), host.maxChoices());
        boolean logprobs = Boolean.TRUE.equals(r.logprobs());
        int top = Params.logprobs(r.topLogprobs(), "top_logprobs");
        if (top >= 0 && !logprobs) throw ApiException.invalid("top_logprobs", "top_logprobs needs logprobs: true");
        var sampling = new Params.Sampling(r.temperature(), r.topP(), r.topK(), r.minP(), r.presencePenalty(),
                r.frequencyPenalty(), r.repetitionPenalty(), r.logitBias(), r.seed());
        long seed = sampling.seedBase();
        List<String> stop = new ArrayList<>(Params.stops(r.stop()));
        ChatTemplate.Rendered rendered = template(engine).render(turns(r.messages()), true);
        stop.addAll(rendered.stops());
        int[] prompt = promptTokens(engine, rendered);
        Params.checkLength(prompt.length, engine);
        Integer asked = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        String param = r.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens";
        if (asked != null && asked < 1) throw ApiException.invalid(param, param + " must be at least 1, got " + asked);
        int maxTokens = asked != null ? asked : Math.max(1, engine.contextSize() - prompt.length);
        List<GenerationRequest> requests = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            requests.add(new GenerationRequest(prompt, maxTokens, sampling.build(engine.config().nVocab, seed, j), stop,
                    Boolean.TRUE.equals(r.ignoreEos()), logprobs ? Math.max(top, 0) : -1, false, j == 0 ? session : null));
        }
        var run = new Run(Wire.id("chatcmpl-"), Wire.now(), engine.modelName(), engine.tokenizer(), n, logprobs, prompt.length);
        return Wire.respond(engine, requests, run, r.stream(),
                r.streamOptions() == null ? null : r.streamOptions().includeUsage(), json);
    }

    private static final class Run implements Wire.Responder {
        final String id;
        final long created;
        final String model;
        final Tokenizer tok;
        final boolean logprobs;
        final int promptTokens;
        final boolean[] started;
        int completionTokens;
        int cachedTokens;

        Run(String id, long created, String model, Tokenizer tok, int n, boolean logprobs, int promptTokens) {
            this.id = id;
            this.created = created;
            this.model = model;
            this.tok = tok;
            this.logprobs = logprobs;
            this.promptTokens = promptTokens;
            this.started = new boolean[n];
        }

        @Override
        public List<Object> chunks(Event e, boolean withUsage) {
            int i = e.index();
            Object usage = withUsage ? NullNode.instance : null;
            List<Object> out = new ArrayList<>(2);
            if (!started[i]) { // the role goes first, once the sequence is running (so refusals still get their status)
                started[i] = true;
                out.add(chunk(i, new ChatResponse.Delta("assistant", ""), null, null, usage));
            }
            switch (e) {
                case Token t -> {
                    var lp = logprobs && t.logprob() != null ? new ChatResponse.Logprobs(List.of(entry(t.token(), t.logprob())), null) : null;
                    if (!t.text().isEmpty() || lp != null) out.add(chunk(i, new ChatResponse.Delta(null, t.text()), lp, null, usage));
                }
                case Finished f -> {
                    completionTokens += f.usage().completionTokens();
                    cachedTokens += f.usage().cachedTokens();
                    if (!f.text().isEmpty()) out.add(chunk(i, new ChatResponse.Delta(null, f.text()), null, null, usage));
                    out.add(chunk(i, new ChatResponse.Delta(null, null), null, f.reason().wire, usage));
                }
                case PromptLogprobs p -> { }
            }
            return out;
        }

        @Override
        public ChatResponse.Chunk usageChunk() {
            return new ChatResponse.Chunk(id, "chat.completion.chunk", created, model, List.of(), Usage.of(promptTokens, completionTokens, cachedTokens));
        }

        @Override
        public ChatResponse whole(List<Event> events) {
            int n = started.length;
            StringBuilder[] text = new StringBuilder[n];
            List<List<ChatResponse.TokenLogprob>> lps = new ArrayList<>();
            String[] finish = new String[n];
            for (int i = 0; i < n; i++) {
                text[i] = new StringBuilder();
                lps.add(new ArrayList<>());
            }
            for (Event e : events) {
                int i = e.index();
                switch (e) {
                    case Token t -> {
                        text[i].append(t.text());
                        if (logprobs && t.logprob() != null) lps.get(i).add(entry(t.token(), t.logprob()));
                    }
                    case Finished f -> {
                        text[i].append(f.text());
                        finish[i] = f.reason().wire;
                        completionTokens += f.usage().completionTokens();
                        cachedTokens += f.usage().cachedTokens();
                    }
                    case PromptLogprobs p -> { }
                }
            }
            List<ChatResponse.Choice> choices = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                choices.add(new ChatResponse.Choice(i, new ChatResponse.OutMessage("assistant", text[i].toString()),
                        logprobs ? new ChatResponse.Logprobs(lps.get(i), null) : null, finish[i]));
            }
            return new ChatResponse(id, "chat.completion", created, model, choices, Usage.of(promptTokens, completionTokens, cachedTokens));
        }

        private ChatResponse.TokenLogprob entry(int token, TokenLogprob lp) {
            List<ChatResponse.TopLogprob> top = new ArrayList<>();
            for (TokenLogprob.Alternative a : lp.top()) {
                String s = Wire.tokenText(tok, a.token());
                top.add(new ChatResponse.TopLogprob(s, Wire.finite(a.logprob()), bytes(tok, a.token())));
            }
            return new ChatResponse.TokenLogprob(Wire.tokenText(tok, token), Wire.finite(lp.logprob()), bytes(tok, token), top);
        }

        private ChatResponse.Chunk chunk(int i, ChatResponse.Delta delta, ChatResponse.Logprobs lp, String finish, Object usage) {
            return new ChatResponse.Chunk(id, "chat.completion.chunk", created, model, List.of(new ChatResponse.ChunkChoice(i, delta, lp, finish)), usage);
        }
    }

    static List<Integer> bytes(Tokenizer tok, int token) {
        byte[] b = tok.tokenBytes(token, true);
        List<Integer> out = new ArrayList<>(b.length);
        for (byte x : b) out.add(x & 0xff);
        return out;
    }
}
