package io.minnow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;

/** Parses a server-sent event stream as OpenAI frames it, checking the framing on the way. */
final class Sse {
    private Sse() {}

    /** The JSON chunks of a stream; asserts every event is {@code data: ...} and the last is {@code [DONE]}. */
    static List<JsonPath> chunks(String body) {
        assertTrue(body.endsWith("data: [DONE]\n\n"), "the stream must end with data: [DONE]: " + tail(body));
        String[] events = body.split("\n\n");
        List<JsonPath> out = new ArrayList<>();
        for (int i = 0; i < events.length; i++) {
            String e = events[i];
            assertTrue(e.startsWith("data: "), "every event is one data line: " + e);
            assertEquals(-1, e.indexOf('\n'), "one line per event: " + e);
            String data = e.substring(6);
            if (i == events.length - 1) {
                assertEquals("[DONE]", data);
            } else {
                out.add(JsonPath.from(data));
            }
        }
        return out;
    }

    private static String tail(String s) {
        return s.length() > 200 ? s.substring(s.length() - 200) : s;
    }
}
