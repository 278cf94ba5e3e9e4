package io.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minnow.Fixtures;
import io.minnow.gguf.GGUFFile;
import io.minnow.gguf.Names;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench --json prints exactly one JSON object with the six keys, also after a depth of cached tokens; quantize writes
 * a loadable file.
 */
class ToolCommandsTest {
    @TempDir
    Path tmp;

    private static String run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Commands.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), argv);
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void benchJson() throws Exception {
        String out = run("bench", "--model", Fixtures.model("llama-tiny-q8_0").toString(), "--threads", "2",
                "--prompt-tokens", "16", "--gen-tokens", "4", "--repetitions", "2", "--json");
        assertEquals(1, out.strip().lines().count(), out);
        JsonNode j = new ObjectMapper().readTree(out);
        for (String k : List.of("pp_tokens_per_s", "tg_tokens_per_s", "tg_stddev", "load_ms", "ttft_ms", "peak_rss_mb")) {
            assertTrue(j.has(k), k + " missing in " + out);
        }
        assertEquals(6, j.size(), out);
        assertTrue(j.get("pp_tokens_per_s").asDouble() > 0 && j.get("tg_tokens_per_s").asDouble() > 0, out);
        assertTrue(j.get("tg_stddev").asDouble() >= 0 && j.get("ttft_ms").asDouble() > 0 && j.get("peak_rss_mb").asDouble() > 0, out);
    }

    /**
     * Both tests after 40 cached tokens, in a float16 cache: the cache must hold depth + prompt (positions past it
     * would throw).
     */
    @Test
    void benchAtDepth() throws Exception {
        String out = run("bench", "--model", Fixtures.model("llama-tiny-q8_0").toString(), "--threads", "2",
                "--prompt-tokens", "8", "--gen-tokens", "4", "--repetitions", "1", "--depth", "40",
                "--kv-cache-type", "f16", "--json");
        JsonNode j = new ObjectMapper().readTree(out);
        assertTrue(j.get("pp_tokens_per_s").asDouble() > 0 && j.get("tg_tokens_per_s").asDouble() > 0, out);
        assertUsageError("--depth must be >= 0", "bench", "--depth", "-1");
        assertUsageError("--kv-cache-type must be F32 or F16, got Q8", "bench", "--kv-cache-type", "Q8");
    }

    private static void assertUsageError(String message, String... argv) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Commands.run(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), argv);
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, rc, e);
        assertTrue(e.contains(message), e);
    }

    @Test
    void quantizeWritesALoadableFile() {
        Path dst = tmp.resolve("q4_0.gguf");
        String out = run("quantize", "--in", Fixtures.model("llama-tiny-f32").toString(), "--out", dst.toString(), "--type", "Q4_0");
        assertTrue(out.contains("Q4_0=15") && out.contains("Q6_K=1"), out);
        try (GGUFFile f = GGUFFile.open(dst)) {
            assertEquals(2, f.getInt(Names.GENERAL_FILE_TYPE));
        }
    }
}
