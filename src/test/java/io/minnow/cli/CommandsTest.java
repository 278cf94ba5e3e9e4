package io.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minnow.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The commands as a user runs them, without the HTTP server. */
class CommandsTest {
    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Commands.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void generateJsonOnTheBundledModel() throws Exception {
        Fixtures.Prompt p = Fixtures.expected("kjv-tiny-q8_0").get(0);
        Run r = run("generate", "--prompt", p.text(), "--max-tokens", "24", "--threads", "2", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        for (String k : new String[] {"prompt_tokens", "tokens", "text", "prompt_ms", "decode_tokens_per_s"}) {
            assertTrue(j.has(k), "missing " + k + " in " + r.out());
        }
        assertEquals(p.promptTokens().length, j.get("prompt_tokens").size());
        for (int i = 0; i < p.refGreedy().length; i++) {
            assertEquals(p.refGreedy()[i], j.get("tokens").get(i).asInt(), "token " + i);
        }
        assertTrue(j.get("text").asText().startsWith(" of the LORD"), j.get("text").asText());
        assertTrue(j.get("decode_tokens_per_s").asDouble() > 0);
    }

    @Test
    void generatePlainTextWithAModelPath() {
        Run r = run("generate", "--model", Fixtures.model("kjv-tiny-f32").toString(), "--prompt", "In the beginning", "--max-tokens", "8");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("In the beginning of the LORD"), r.out());
        assertTrue(r.err().contains("tokens/s"), r.err());
    }

    @Test
    void scorePrintsTopLogitsPerPosition() throws Exception {
        Fixtures.Prompt p = Fixtures.expected("kjv-tiny-f32").get(0);
        String ids = java.util.Arrays.stream(p.promptTokens()).mapToObj(String::valueOf).collect(java.util.stream.Collectors.joining(","));
        Run r = run("score", "--model", Fixtures.model("kjv-tiny-f32").toString(), "--tokens", ids, "--top", "10", "--json");
        assertEquals(0, r.status(), r.err());
        JsonNode pos = new ObjectMapper().readTree(r.out()).get("positions");
        assertEquals(p.promptTokens().length, pos.size());
        JsonNode last = pos.get(pos.size() - 1);
        assertEquals(10, last.size());
        double[][] expected = p.top().get(0);
        for (int i = 0; i < 10; i++) {
            assertEquals((int) expected[i][0], last.get(i).get(0).asInt());
            assertEquals(expected[i][1], last.get(i).get(1).asDouble(), 2e-3);
        }
    }

    @Test
    void badInputGivesAClearMessageAndStatus() {
        Run missing = run("generate", "--model", "/nonexistent/model.gguf", "--prompt", "x");
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("/nonexistent/model.gguf") && missing.err().contains("not found"), missing.err());
        Run usage = run("generate", "--max-tokens", "5");
        assertEquals(2, usage.status());
        assertTrue(usage.err().contains("--prompt is required"), usage.err());
        Run unknown = run("generate", "--prompt", "x", "--bogus", "1");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("unknown option --bogus"), unknown.err());
        Run badTokens = run("score", "--tokens", "1,abc");
        assertEquals(2, badTokens.status());
    }
}
