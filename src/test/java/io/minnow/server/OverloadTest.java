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
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One slot and no queue: a second sequence is refused with 429; a client that leaves frees its slot. */
@QuarkusTest
@TestProfile(OverloadTest.OneSlot.class)
class OverloadTest {
    public static class OneSlot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("minnow.slots", "1", "minnow.max-queue", "0", "minnow.threads", "1");
        }
    }

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void secondSequenceWithoutRoomIs429() {
        // n = 2 asks for two sequences at once: the first takes the only slot, the queue holds none
        given().contentType("application/json").body("{\"prompt\":\"In the beginning\",\"n\":2,\"max_tokens\":4}").post("/v1/completions")
                .then().statusCode(429).contentType("application/json")
                .header("Retry-After", notNullValue())
                .body("error.type", equalTo("rate_limit_error"))
                .body("error.code", equalTo("server_overloaded"));
        given().contentType("application/json").body("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"n\":2,\"max_tokens\":4,\"stream\":true}")
                .post("/v1/chat/completions").then().statusCode(429).header("Retry-After", notNullValue());
        // and the slot is free again afterwards (the refused request's first sequence is cancelled within a step)
        long deadline = System.currentTimeMillis() + 10_000;
        int status = 0;
        while (System.currentTimeMillis() < deadline) {
            status = given().contentType("application/json").body("{\"prompt\":\"In the beginning\",\"max_tokens\":4}").post("/v1/completions").statusCode();
            if (status == 200) break;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        assertTrue(status == 200, "the slot was freed, got " + status);
    }

    @Test
    void disconnectCancelsGeneration() throws Exception {
        String body = "{\"prompt\":\"In the beginning\",\"max_tokens\":250,\"ignore_eos\":true,\"stream\":true}";
        try (Socket s = new Socket("localhost", RestAssured.port)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
                // headers and the first chunk size
            }
            assertTrue(line != null && line.startsWith("data: "), "the stream started");
        } // closed: the client is gone
        // the only slot must come back long before 250 tokens could have been generated and delivered
        long deadline = System.currentTimeMillis() + 10_000;
        int status = 0;
        while (System.currentTimeMillis() < deadline) {
            status = given().contentType("application/json").body("{\"prompt\":\"In\",\"max_tokens\":1}").post("/v1/completions").statusCode();
            if (status == 200) break;
            Thread.sleep(20);
        }
        assertTrue(status == 200, "the slot was freed, got " + status);
        String metrics = given().get("/q/metrics").asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("minnow_requests_total{finished_reason=\"cancelled\"") && !l.endsWith(" 0.0")),
                "the cancelled request is counted");
    }
}
