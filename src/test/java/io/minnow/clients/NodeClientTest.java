package io.minnow.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.minnow.server.Ready;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official {@code openai} npm SDK (src/test/node) against the running test server: a streaming chat and a
 * completion with echo/logprobs. Skipped only when {@code node} is absent; installs the SDK with {@code npm ci} when
 * node_modules is missing.
 */
@QuarkusTest
class NodeClientTest {
    static final Path DIR = Path.of("src/test/node");

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void openaiSdk() throws Exception {
        String node = onPath("node");
        assumeTrue(node != null, "node is not installed");
        if (!Files.isDirectory(DIR.resolve("node_modules/openai"))) {
            String npm = onPath("npm");
            assertTrue(npm != null, "node is installed but npm is not");
            Result ci = run(List.of(npm, "ci", "--no-audit", "--no-fund"), 300);
            assertEquals(0, ci.code, "npm ci failed: " + ci.out);
        }
        Result r = run(List.of(node, "openai-check.mjs", "http://localhost:" + RestAssured.port + "/v1", "kjv-tiny-q8_0"), 120);
        assertEquals(0, r.code, "the openai SDK check failed:\n" + r.out);
        assertTrue(r.out.contains("\"ok\":true"), r.out);
    }

    record Result(int code, String out) {}

    static Result run(List<String> cmd, int seconds) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (f.canExecute()) return f.getPath();
        }
        return null;
    }
}
