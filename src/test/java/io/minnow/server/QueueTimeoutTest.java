package io.minnow.server;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One slot, a queue, and a short queue timeout: a request that cannot get the slot in time gets 503. */
@QuarkusTest
@TestProfile(QueueTimeoutTest.ShortWait.class)
class QueueTimeoutTest {
    public static class ShortWait implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("minnow.slots", "1", "minnow.max-queue", "4", "minnow.threads", "1", "minnow.queue-timeout", "0.05s");
        }
    }

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void waitingTooLongIs503WithRetryAfter() throws Exception {
        String body = "{\"prompt\":\"In the beginning\",\"max_tokens\":240,\"ignore_eos\":true,\"stream\":true}";
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> holder = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader r = new BufferedReader(new InputStreamReader(holder.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null && !line.startsWith("data: ")) {
                // wait until the long request holds the only slot
            }
            assertTrue(line != null, "the long request started");
            given().contentType("application/json").body("{\"prompt\":\"And\",\"max_tokens\":2}").post("/v1/completions")
                    .then().statusCode(503).header("Retry-After", notNullValue())
                    .body("error.code", equalTo("queue_timeout"));
        }
    }
}
