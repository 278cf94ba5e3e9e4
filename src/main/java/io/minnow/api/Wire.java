package io.minnow.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minnow.engine.Engine;
import io.minnow.engine.GenerationRequest;
import io.minnow.tokenizer.Tokenizer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * How responses go on the wire. Streams are written as OpenAI frames them, byte for byte:
 * {@code data: {json}\n\n} per chunk and {@code data: [DONE]\n\n} last. Both kinds of answer are a {@link RestMulti}
 * so that one endpoint can answer either, and so that an error raised before the first item still goes through the
 * exception mappers with its own status.
 */
final class Wire {
    static final String DONE = "data: [DONE]\n\n";

    private Wire() {}

    /** What a generation endpoint turns its engine events into: stream chunks, the usage chunk, or the whole answer. */
    interface Responder {
        List<Object> chunks(GenerationEvents.Event e, boolean withUsage);

        Object usageChunk();

        Object whole(List<GenerationEvents.Event> events);
    }

    /** The response of a generation endpoint: SSE chunks (and a usage chunk when asked) or one JSON body. */
    static RestMulti<String> respond(Engine engine, List<GenerationRequest> requests, Responder run, Boolean stream,
            Boolean includeUsage, ObjectMapper json) {
        if (Boolean.TRUE.equals(stream)) {
            boolean usage = Boolean.TRUE.equals(includeUsage);
            Multi<String> frames = GenerationEvents.run(engine, requests, e -> frames(json, run.chunks(e, usage)),
                    () -> usage ? List.of(frame(json, run.usageChunk()), DONE) : List.of(DONE));
            return sse(frames);
        }
        return json(GenerationEvents.run(engine, requests).collect().asList().map(run::whole), json);
    }

    private static List<String> frames(ObjectMapper json, List<Object> chunks) {
        List<String> out = new ArrayList<>(chunks.size());
        for (Object c : chunks) out.add(frame(json, c));
        return out;
    }

    /** One server-sent event carrying {@code chunk} as JSON. */
    static String frame(ObjectMapper json, Object chunk) {
        return "data: " + write(json, chunk) + "\n\n";
    }

    /** Server-sent events, one frame per item (each item is a whole frame). */
    static RestMulti<String> sse(Multi<String> frames) {
        return RestMulti.fromMultiData(frames)
                .status(200)
                .header("Content-Type", "text/event-stream; charset=utf-8")
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
    }

    static RestMulti<String> json(Uni<?> body, ObjectMapper json) {
        return RestMulti.fromMultiData(body.map(b -> write(json, b)).toMulti())
                .status(200)
                .header("Content-Type", "application/json")
                .build();
    }

    static String write(ObjectMapper json, Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String id(String prefix) {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return prefix + HexFormat.of().formatHex(b);
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** A token's own text (its bytes as UTF-8, control tokens as their text; a piece of a multi-byte character shows as U+FFFD). */
    static String tokenText(Tokenizer tok, int id) {
        return new String(tok.tokenBytes(id, true), StandardCharsets.UTF_8);
    }

    /** Log-probabilities as JSON allows them: -infinity becomes -9999 as in vLLM. */
    static float finite(float lp) {
        return Float.isFinite(lp) ? lp : -9999f;
    }
}
