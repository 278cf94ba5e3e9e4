package io.minnow.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minnow.server.Ready;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class CompletionsTest {
    static final String MODEL = "kjv-tiny-q8_0";

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static Response post(String body) {
        return given().contentType("application/json").body(body).post("/v1/completions");
    }

    @Test
    void blockingCompletion() {
        post("{\"model\":\"" + MODEL + "\",\"prompt\":\"In the beginning\",\"max_tokens\":8,\"temperature\":0}").then()
                .statusCode(200)
                .contentType("application/json")
                .body("id", startsWith("cmpl-"))
                .body("object", equalTo("text_completion"))
                .body("model", equalTo(MODEL))
                .body("choices", hasSize(1))
                .body("choices[0].index", equalTo(0))
                .body("choices[0].text", notNullValue())
                .body("choices[0].logprobs", nullValue())
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.completion_tokens", equalTo(8))
                .body("usage.total_tokens", equalTo(8 + given().contentType("application/json").body("{\"prompt\":\"In the beginning\"}")
                        .post("/tokenize").jsonPath().getInt("count")));
    }

    @Test
    void greedyIsDeterministicAndTokenPromptsMatchText() {
        String a = post("{\"prompt\":\"And God said\",\"max_tokens\":6,\"temperature\":0}").jsonPath().getString("choices[0].text");
        List<Integer> ids = given().contentType("application/json").body("{\"prompt\":\"And God said\"}").post("/tokenize").jsonPath().getList("tokens");
        String b = post("{\"prompt\":" + ids + ",\"max_tokens\":6,\"temperature\":0}").jsonPath().getString("choices[0].text");
        assertEquals(a, b);
        assertFalse(a.isEmpty());
    }

    @Test
    void promptArraysAndChoices() {
        JsonPath j = post("{\"prompt\":[\"In the beginning\",\"And God said\"],\"n\":2,\"max_tokens\":3,\"temperature\":0.8,\"seed\":7}").then()
                .statusCode(200).extract().jsonPath();
        assertEquals(List.of(0, 1, 2, 3), j.getList("choices.index"));
        JsonPath k = post("{\"prompt\":[[2047, 285], [2047, 300, 301]],\"max_tokens\":2,\"temperature\":0}").then().statusCode(200).extract().jsonPath();
        assertEquals(2, k.getList("choices").size());
        assertEquals(5, k.getInt("usage.prompt_tokens"));
    }

    @Test
    void seededSamplingRepeats() {
        String body = "{\"prompt\":\"In the beginning\",\"max_tokens\":10,\"temperature\":1.0,\"top_p\":0.9,\"top_k\":40,\"seed\":42,"
                + "\"presence_penalty\":0.5,\"frequency_penalty\":0.2,\"repetition_penalty\":1.1,\"min_p\":0.01,\"user\":\"t\"}";
        assertEquals(post(body).jsonPath().getString("choices[0].text"), post(body).jsonPath().getString("choices[0].text"));
    }

    @Test
    void stopTextIsNotReturned() {
        String full = post("{\"prompt\":\"In the beginning\",\"max_tokens\":12,\"temperature\":0}").jsonPath().getString("choices[0].text");
        String word = full.trim().split(" ")[1];
        JsonPath j = post("{\"prompt\":\"In the beginning\",\"max_tokens\":12,\"temperature\":0,\"stop\":[\"" + word + "\"]}").jsonPath();
        assertEquals(full.substring(0, full.indexOf(word)), j.getString("choices[0].text"));
        assertEquals("stop", j.getString("choices[0].finish_reason"));
    }

    @Test
    void logitBiasAndIgnoreEos() {
        JsonPath j = post("{\"prompt\":\"In the beginning\",\"max_tokens\":3,\"temperature\":0,\"logit_bias\":{\"300\":100},\"ignore_eos\":true,\"logprobs\":0}").jsonPath();
        List<String> tokens = j.getList("choices[0].logprobs.tokens");
        assertEquals(3, tokens.size());
        assertEquals(1, tokens.stream().distinct().count(), "a +100 bias makes one token win every step: " + tokens);
    }

    /** What lm-evaluation-harness's local-completions sends for log-likelihood: token ids, max_tokens 1, echo, logprobs 1. */
    @Test
    void echoWithLogprobs() {
        JsonPath j = post("{\"prompt\":[[2047, 285, 263, 300]],\"max_tokens\":1,\"echo\":true,\"logprobs\":1,\"temperature\":0}").then()
                .statusCode(200).extract().jsonPath();
        List<String> tokens = j.getList("choices[0].logprobs.tokens");
        List<Float> lps = j.getList("choices[0].logprobs.token_logprobs");
        List<Map<String, Float>> top = j.getList("choices[0].logprobs.top_logprobs");
        List<Integer> offsets = j.getList("choices[0].logprobs.text_offset");
        assertEquals(5, tokens.size(), "4 prompt tokens and 1 generated");
        assertEquals(5, lps.size());
        assertEquals(5, top.size());
        assertEquals(5, offsets.size());
        assertNull(lps.get(0), "the first prompt token has no log-probability");
        assertNull(top.get(0));
        for (int i = 1; i < 5; i++) {
            assertTrue(lps.get(i) <= 0, "logprob " + lps.get(i));
            assertTrue(top.get(i).containsKey(tokens.get(i)), "top_logprobs include the token itself");
            assertTrue(offsets.get(i) >= offsets.get(i - 1));
        }
        String text = j.getString("choices[0].text");
        String prompt = given().contentType("application/json").body("{\"tokens\":[2047, 285, 263, 300]}").post("/detokenize").jsonPath().getString("prompt");
        assertTrue(text.startsWith(prompt), "echo puts the prompt first");
        assertEquals(prompt.length(), (int) offsets.get(4), "the generated token starts where the prompt ends");
    }

    @Test
    void echoWithZeroMaxTokensScoresThePrompt() {
        JsonPath j = post("{\"prompt\":\"In the beginning God\",\"max_tokens\":0,\"echo\":true,\"logprobs\":0}").then().statusCode(200).extract().jsonPath();
        assertEquals("In the beginning God", j.getString("choices[0].text"));
        assertEquals(0, j.getInt("usage.completion_tokens"));
        assertEquals(j.getInt("usage.prompt_tokens"), j.getList("choices[0].logprobs.tokens").size());
    }

    @Test
    void streamWithUsage() {
        Response r = post("{\"prompt\":\"In the beginning\",\"max_tokens\":5,\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        r.then().statusCode(200).contentType(startsWith("text/event-stream"));
        List<JsonPath> chunks = Sse.chunks(r.asString());
        JsonPath last = chunks.get(chunks.size() - 1);
        assertEquals(List.of(), last.getList("choices"), "the usage chunk has no choices");
        assertEquals(5, last.getInt("usage.completion_tokens"));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < chunks.size() - 1; i++) {
            JsonPath c = chunks.get(i);
            assertTrue(c.getMap("").containsKey("usage"), "other chunks carry usage: null");
            assertNull(c.get("usage"));
            assertEquals(chunks.get(0).getString("id"), c.getString("id"));
            assertEquals(chunks.get(0).getLong("created"), c.getLong("created"));
            assertEquals("text_completion", c.getString("object"));
            text.append(c.getString("choices[0].text"));
        }
        assertEquals("length", chunks.get(chunks.size() - 2).getString("choices[0].finish_reason"));
        String whole = post("{\"prompt\":\"In the beginning\",\"max_tokens\":5,\"temperature\":0}").jsonPath().getString("choices[0].text");
        assertEquals(whole, text.toString(), "streamed text equals the blocking text");
    }

    @Test
    void streamWithoutUsage() {
        List<JsonPath> chunks = Sse.chunks(post("{\"prompt\":\"In the beginning\",\"max_tokens\":4,\"temperature\":0,\"stream\":true}").asString());
        for (JsonPath c : chunks) {
            assertFalse(c.getMap("").containsKey("usage"), "no usage field without include_usage");
            assertEquals(1, c.getList("choices").size());
        }
    }

    @Test
    void streamEchoWithLogprobs() {
        List<JsonPath> chunks = Sse.chunks(post("{\"prompt\":[2047, 285, 263],\"max_tokens\":2,\"echo\":true,\"logprobs\":2,\"stream\":true,\"temperature\":0}").asString());
        JsonPath first = chunks.get(0);
        assertEquals(3, first.getList("choices[0].logprobs.tokens").size(), "the prompt comes first with its log-probabilities");
        assertNull(first.getList("choices[0].logprobs.token_logprobs").get(0));
    }

    @Test
    void contextLengthExceeded() {
        StringBuilder ids = new StringBuilder();
        for (int i = 0; i < 300; i++) ids.append(i == 0 ? "" : ",").append(100 + i % 50);
        post("{\"prompt\":[" + ids + "],\"max_tokens\":1}").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("context_length_exceeded"))
                .body("error.message", equalTo("This model's maximum context length is 256 tokens. However, your prompt has 300 tokens."));
    }

    @Test
    void invalidRequests() {
        expect400("{\"prompt\":\"x\",\"temperature\":-1}", "temperature");
        expect400("{\"prompt\":\"x\",\"top_p\":1.5}", "top_p");
        expect400("{\"prompt\":\"x\",\"logprobs\":21}", "logprobs");
        expect400("{\"prompt\":\"x\",\"n\":9}", "n");
        expect400("{\"prompt\":\"x\",\"max_tokens\":0}", "max_tokens");
        expect400("{\"max_tokens\":3}", "prompt");
        expect400("{\"prompt\":[1.5]}", "prompt");
        expect400("{\"prompt\":[[2047, 999999]]}", "prompt");
        expect400("{\"prompt\":\"x\",\"stop\":7}", "stop");
        expect400("{\"prompt\":\"x\",\"logit_bias\":{\"abc\":1}}", "logit_bias");
        expect400("{\"prompt\":\"x\",\"max_tokens\":\"many\"}", "max_tokens");
        expect400("{\"prompt\":\"x\",\"presence_penalty\":3}", "presence_penalty");
        given().contentType("application/json").body("{\"prompt\": ").post("/v1/completions").then().statusCode(400)
                .contentType("application/json").body("error.type", equalTo("invalid_request_error"));
        given().contentType("application/json").body("[1,2]").post("/v1/completions").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"));
        given().contentType("application/json").post("/v1/completions").then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"));
    }

    static void expect400(String body, String param) {
        post(body).then().statusCode(400).contentType("application/json")
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param))
                .body("error.message", notNullValue())
                .body("error.code", nullValue());
    }

    static void expect400Chat(String body, String param) {
        given().contentType("application/json").body(body).post("/v1/chat/completions").then().statusCode(400).contentType("application/json")
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo(param))
                .body("error.message", notNullValue());
    }

    @Test
    void unknownModel() {
        post("{\"model\":\"gpt-4\",\"prompt\":\"x\"}").then().statusCode(404)
                .body("error.code", equalTo("model_not_found"))
                .body("error.param", equalTo("model"));
    }

    @Test
    void bodyOverTheLimit() {
        post("{\"prompt\":\"" + "a".repeat(70_000) + "\"}").then().statusCode(413).contentType("application/json")
                .body("error.code", equalTo("request_too_large"));
    }

    @Test
    void chunkedBodyOverTheLimit() throws Exception {
        // no Content-Length: the HTTP layer stops reading at the same limit; the answer is the same OpenAI error
        byte[] body = ("{\"prompt\":\"" + "a".repeat(70_000) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + io.restassured.RestAssured.port + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build();
        var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var resp = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
        org.junit.jupiter.api.Assertions.assertEquals(413, resp.statusCode());
        org.junit.jupiter.api.Assertions.assertEquals("application/json", resp.headers().firstValue("content-type").orElse(""));
        var error = io.vertx.core.json.Json.decodeValue(resp.body(), io.vertx.core.json.JsonObject.class).getJsonObject("error");
        org.junit.jupiter.api.Assertions.assertEquals("request_too_large", error.getString("code"));
        org.junit.jupiter.api.Assertions.assertEquals("invalid_request_error", error.getString("type"));
    }

    @Test
    void chunkedBodyWithinTheLimit() throws Exception {
        // a chunked body under the limit is read by the guard and still reaches the resource whole
        byte[] body = "{\"prompt\":\"In the beginning\",\"max_tokens\":3,\"ignore_eos\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + io.restassured.RestAssured.port + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build();
        var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var resp = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
        org.junit.jupiter.api.Assertions.assertEquals(200, resp.statusCode(), resp.body());
        var usage = io.vertx.core.json.Json.decodeValue(resp.body(), io.vertx.core.json.JsonObject.class).getJsonObject("usage");
        org.junit.jupiter.api.Assertions.assertEquals(3, usage.getInteger("completion_tokens"));
        org.junit.jupiter.api.Assertions.assertEquals(4, usage.getInteger("prompt_tokens"));
    }

    @Test
    void unknownRouteAndMethod() {
        given().get("/v1/nothing").then().statusCode(404).contentType("application/json").body("error.type", equalTo("invalid_request_error"));
        given().get("/nothing/at/all").then().statusCode(404).contentType("application/json").body("error.message", notNullValue());
        given().get("/v1/completions").then().statusCode(405).contentType("application/json").body("error.message", notNullValue());
    }
}
