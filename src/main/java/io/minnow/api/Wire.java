package io.minnow.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minnow.tokenizer.Tokenizer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
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

    static RestMulti<String> sse(Multi<Object> chunks, ObjectMapper json) {
        Multi<String> frames = chunks.map(c -> "data: " + write(json, c) + "\n\n")
                .onCompletion().continueWith(DONE);
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
