package io.minnow.server;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class MetricsTest {
    static final List<String> HISTOGRAMS = List.of("minnow_time_to_first_token_seconds", "minnow_inter_token_latency_seconds",
            "minnow_e2e_request_latency_seconds", "minnow_request_queue_time_seconds", "minnow_request_prompt_processing_seconds",
            "minnow_model_forward_time_seconds");

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static String scrapeAfterTraffic() {
        given().contentType("application/json").body("{\"prompt\":\"In the beginning\",\"max_tokens\":6,\"ignore_eos\":true}").post("/v1/completions").then().statusCode(200);
        given().contentType("application/json").body("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":4,\"ignore_eos\":true,\"stream\":true}")
                .post("/v1/chat/completions").then().statusCode(200);
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    @Test
    void histogramsHaveBucketsAndCounts() {
        String m = scrapeAfterTraffic();
        for (String h : HISTOGRAMS) {
            assertTrue(m.contains("# TYPE " + h + " histogram"), h + " is a histogram");
            long buckets = m.lines().filter(l -> l.startsWith(h + "_bucket{")).count();
            assertEquals(21, buckets, h + ": 20 bounds from 1 ms to 60 s, and +Inf");
            assertTrue(m.lines().anyMatch(l -> l.startsWith(h + "_bucket{") && l.contains("le=\"0.001\"")), h + " starts at 1 ms");
            assertTrue(m.lines().anyMatch(l -> l.startsWith(h + "_bucket{") && l.contains("le=\"60.0\"")), h + " ends at 60 s");
            double count = value(m, h + "_count{");
            assertTrue(count > 0, h + " has observations");
        }
        assertTrue(m.contains("# TYPE minnow_iteration_tokens histogram"), "tokens per forward pass is a histogram");
        // every forward pass after readiness is counted; this traffic alone needed at least 6 + 4 of them
        assertTrue(value(m, "minnow_iteration_tokens_count{") >= 10);
        assertTrue(value(m, "minnow_iteration_tokens_sum{") >= value(m, "minnow_iteration_tokens_count{"), "at least one token each");
        assertTrue(value(m, "minnow_prompt_tokens_total{") > 0);
        assertTrue(value(m, "minnow_generation_tokens_total{") >= 10);
        assertTrue(value(m, "minnow_requests_total{finished_reason=\"length\"") >= 2);
        for (String gauge : List.of("minnow_num_requests_running{", "minnow_num_requests_waiting{", "minnow_kv_cache_usage_perc{")) {
            double v = value(m, gauge);
            assertTrue(v >= 0 && v <= 1e6, gauge + " = " + v);
        }
        m.lines().filter(l -> l.startsWith("minnow_")).forEach(l -> assertTrue(l.contains("model=\"kjv-tiny-q8_0\""), "tagged with the model: " + l));
    }

    static double value(String metrics, String prefix) {
        return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no line " + prefix));
    }

    /** The exposition passes Prometheus's own linter (Debian's prometheus package has promtool); skipped without it. */
    @Test
    void promtoolCheckMetrics() throws Exception {
        String promtool = findOnPath("promtool");
        assumeTrue(promtool != null, "promtool is not on PATH");
        String m = scrapeAfterTraffic();
        Path f = Files.createTempFile("minnow-metrics", ".txt");
        Files.writeString(f, m);
        Process p = new ProcessBuilder(promtool, "check", "metrics").redirectInput(f.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        // exit 1 is a parse error; 3 means lint findings only (many about meters Quarkus itself registers)
        assertTrue(p.exitValue() == 0 || p.exitValue() == 3, "promtool failed (" + p.exitValue() + "): " + out);
        assertTrue(!out.contains("error while linting"), out);
        // Our meters must be clean, but for one finding older promtools (Debian's 2.42) make about every counter of the
        // Prometheus Java client 1.x: it declares "# TYPE x counter" and "# HELP x" and writes samples as x_total,
        // which such a promtool reads as a family of its own without help. The HELP is checked here instead.
        for (String line : out.lines().filter(l -> l.contains("minnow_")).toList()) {
            String name = line.substring(0, line.indexOf(' '));
            boolean counterHelp = line.endsWith(" no help text") && name.endsWith("_total")
                    && m.contains("# TYPE " + name.substring(0, name.length() - 6) + " counter")
                    && m.contains("# HELP " + name.substring(0, name.length() - 6) + " ");
            assertTrue(counterHelp, "promtool on our metrics: " + line);
        }
        Files.deleteIfExists(f);
    }

    static String findOnPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (f.canExecute()) return f.getPath();
        }
        return null;
    }
}
