package io.minnow.server;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server under load with 2 slots and a queue: more clients than slots, half of them leaving mid-stream;
 * a follow-up chat turn that reuses its prefix; and a request that waits too long.
 */
@QuarkusTest
@TestProfile(ServingTest.TwoSlots.class)
class ServingTest {
    public static class TwoSlots implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("minnow.slots", "2", "minnow.max-queue", "16", "minnow.threads", "2", "minnow.queue-timeout", "60s");
        }
    }

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static HttpRequest streaming(String prompt, int maxTokens) {
        String body = "{\"prompt\":\"" + prompt + "\",\"max_tokens\":" + maxTokens + ",\"ignore_eos\":true,\"stream\":true,\"temperature\":0}";
        return HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Reads a stream; with {@code leaveAfter} > 0 the client disconnects after that many chunks. */
    static int consume(HttpRequest req, int leaveAfter) throws Exception {
        HttpResponse<InputStream> resp = HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, resp.statusCode());
        int chunks = 0;
        try (InputStream in = resp.body(); BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.startsWith("data: ")) continue;
                if (line.equals("data: [DONE]")) return chunks;
                chunks++;
                if (leaveAfter > 0 && chunks == leaveAfter) return -chunks; // closing the stream disconnects
            }
        }
        return chunks;
    }

    static double metric(String name) {
        return given().get("/q/metrics").asString().lines().filter(l -> l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void floodWithHalfTheClientsLeavingFreesEverySlot() throws Exception {
        int clients = 8;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                int leave = i % 2 == 0 ? 3 : 0;
                HttpRequest req = streaming(i % 3 == 0 ? "In the beginning" : i % 3 == 1 ? "And the LORD said" : "Blessed are they", 60);
                results.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return consume(req, leave);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            for (int i = 0; i < clients; i++) {
                int n = results.get(i).get(120, TimeUnit.SECONDS);
                if (i % 2 == 0) assertEquals(-3, n, "client " + i + " left after 3 chunks");
                else assertEquals(61, n, "client " + i + " got 60 tokens and the final chunk");
            }
        } finally {
            pool.shutdownNow();
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline
                && (metric("minnow_num_requests_running") > 0 || metric("minnow_num_requests_waiting") > 0 || metric("minnow_kv_cache_usage_perc") > 0)) {
            Thread.sleep(20);
        }
        assertEquals(0.0, metric("minnow_num_requests_running"));
        assertEquals(0.0, metric("minnow_num_requests_waiting"));
        assertEquals(0.0, metric("minnow_kv_cache_usage_perc"), "every slot is free");
        assertEquals(0.0, metric("minnow_kv_cache_used_bytes"));
        assertTrue(metric("minnow_kv_cache_capacity_bytes") > 0);
        assertTrue(given().get("/q/metrics").asString().lines()
                .anyMatch(l -> l.startsWith("minnow_requests_total{finished_reason=\"cancelled\"") && !l.endsWith(" 0.0")));
    }

    /** The follow-up turn pays only for its new tokens: the whole first turn (prompt and reply) comes from the cache. */
    @Test
    void secondChatTurnReusesTheFirst() {
        String turn1 = "{\"messages\":[{\"role\":\"user\",\"content\":\"Who begat Enos? And who begat Cainan?\"}],\"max_tokens\":16,\"temperature\":0}";
        JsonPath first = given().contentType("application/json").header("X-Session-Id", "conversation-1").body(turn1)
                .post("/v1/chat/completions").then().statusCode(200).extract().jsonPath();
        String answer = first.getString("choices[0].message.content").replace("\"", "\\\"").replace("\n", "\\n");
        int firstPrompt = first.getInt("usage.prompt_tokens");
        int firstCompletion = first.getInt("usage.completion_tokens");
        String turn2 = "{\"session_id\":\"conversation-1\",\"messages\":[{\"role\":\"user\",\"content\":\"Who begat Enos? And who begat Cainan?\"},"
                + "{\"role\":\"assistant\",\"content\":\"" + answer + "\"},{\"role\":\"user\",\"content\":\"And then?\"}],\"max_tokens\":8,\"temperature\":0}";
        double queriesBefore = metric("minnow_prefix_cache_queries_total"), hitsBefore = metric("minnow_prefix_cache_hits_total");
        JsonPath second = given().contentType("application/json").body(turn2).post("/v1/chat/completions")
                .then().statusCode(200).body("usage.prompt_tokens_details.cached_tokens", greaterThanOrEqualTo(firstPrompt + firstCompletion - 1)).extract().jsonPath();
        int cached = second.getInt("usage.prompt_tokens_details.cached_tokens");
        assertEquals(second.getInt("usage.prompt_tokens"), metric("minnow_prefix_cache_queries_total") - queriesBefore, 0.0);
        assertEquals(cached, metric("minnow_prefix_cache_hits_total") - hitsBefore, 0.0);
        // the same second turn without any cache (a different session on a wiped slot is not guaranteed): greedy output
        // must not depend on reuse, which EngineTest proves token by token; here the HTTP shape is what counts
        given().contentType("application/json").body(turn2).post("/v1/chat/completions").then().statusCode(200)
                .body("choices[0].message.content", equalTo(second.getString("choices[0].message.content")));
    }
}
