package io.minnow.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.minnow.server.Ready;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Models, tokenizer, health, OpenAPI, and the raw bytes of a stream. */
@QuarkusTest
class EndpointsTest {
    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void models() {
        given().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data[0].id", equalTo("kjv-tiny-q8_0"))
                .body("data[0].object", equalTo("model"))
                .body("data[0].owned_by", equalTo("minnow"))
                .body("data[0].max_model_len", equalTo(256));
        given().get("/v1/models/kjv-tiny-q8_0").then().statusCode(200).body("id", equalTo("kjv-tiny-q8_0"));
        given().get("/v1/models/gpt-4").then().statusCode(404).contentType("application/json")
                .body("error.code", equalTo("model_not_found"));
    }

    @Test
    void tokenizeAndDetokenize() {
        List<Integer> tokens = given().contentType("application/json").body("{\"prompt\":\"In the beginning God created\"}").post("/tokenize")
                .then().statusCode(200).body("count", greaterThan(1)).body("max_model_len", equalTo(256)).extract().jsonPath().getList("tokens");
        assertEquals(2047, tokens.get(0), "BOS is added by default");
        List<Integer> plain = given().contentType("application/json").body("{\"prompt\":\"In the beginning God created\",\"add_special_tokens\":false}")
                .post("/tokenize").jsonPath().getList("tokens");
        assertEquals(tokens.subList(1, tokens.size()), plain);
        given().contentType("application/json").body("{\"tokens\":" + plain + "}").post("/detokenize").then().statusCode(200)
                .body("prompt", equalTo("In the beginning God created"));
        given().contentType("application/json").body("{\"tokens\":[5000000]}").post("/detokenize").then().statusCode(400)
                .body("error.param", equalTo("tokens"));
        given().contentType("application/json").body("{}").post("/tokenize").then().statusCode(400).body("error.param", equalTo("prompt"));
    }

    @Test
    void tokenizerInfo() {
        given().get("/tokenizer_info").then().statusCode(200)
                .body("eos_token", equalTo("<|endoftext|>"))
                .body("bos_token", equalTo("<|endoftext|>"))
                .body("eos_token_id", equalTo(2047))
                .body("bos_token_id", equalTo(2047))
                .body("$", hasKey("chat_template"))
                .body("model_max_length", equalTo(256))
                .body("vocab_size", equalTo(2048))
                .body("tokenizer_class", equalTo("gpt2"));
    }

    @Test
    void health() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'model' }.data.model", equalTo("kjv-tiny-q8_0"));
    }

    @Test
    void openApiDocumentsEveryEndpoint() {
        var doc = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        for (String path : List.of("/v1/completions", "/v1/chat/completions", "/v1/models", "/v1/models/{id}", "/tokenize", "/detokenize", "/tokenizer_info")) {
            assertTrue(doc.getMap("paths").containsKey(path), "OpenAPI documents " + path);
        }
        assertEquals("#/components/schemas/CompletionRequest",
                doc.getString("paths.'/v1/completions'.post.requestBody.content.'application/json'.schema.$ref"));
        assertTrue(doc.getMap("paths.'/v1/completions'.post.requestBody.content.'application/json'.examples").containsKey("loglikelihood"));
        assertEquals("#/components/schemas/ChatCompletionResponse",
                doc.getString("paths.'/v1/chat/completions'.post.responses.'200'.content.'application/json'.schema.$ref"));
        for (String code : List.of("400", "401", "404", "413", "429", "503")) {
            assertEquals("#/components/schemas/ErrorResponse",
                    doc.getString("paths.'/v1/chat/completions'.post.responses.'" + code + "'.content.'application/json'.schema.$ref"), code);
        }
        for (String schema : List.of("CompletionRequest", "CompletionResponse", "ChatCompletionRequest", "ChatCompletionResponse",
                "ChatCompletionChunk", "ModelList", "TokenizeRequest", "TokenizeResponse", "DetokenizeRequest", "TokenizerInfo", "ErrorResponse", "Usage")) {
            assertTrue(doc.getMap("components.schemas").containsKey(schema), "schema " + schema);
        }
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }

    /** The bytes on the wire, chunked transfer decoded by hand: exactly OpenAI's framing. */
    @Test
    void rawStreamBytes() throws Exception {
        String body = "{\"prompt\":\"In the beginning\",\"max_tokens\":3,\"temperature\":0,\"stream\":true}";
        byte[] raw;
        try (Socket s = new Socket("localhost", RestAssured.port)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
                    + "Connection: close\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            raw = s.getInputStream().readAllBytes();
        }
        String latin = new String(raw, StandardCharsets.ISO_8859_1); // one char per byte
        int split = latin.indexOf("\r\n\r\n");
        String head = latin.substring(0, split).toLowerCase();
        assertTrue(head.startsWith("http/1.1 200"), head);
        assertTrue(head.contains("content-type: text/event-stream"), head);
        assertTrue(head.contains("transfer-encoding: chunked"), head);
        String payload = dechunk(raw, split + 4);
        assertTrue(payload.startsWith("data: {\"id\":\"cmpl-"), payload);
        assertTrue(payload.endsWith("}\n\ndata: [DONE]\n\n"), payload);
        assertEquals(-1, payload.indexOf("\r"), "no carriage returns in events");
        assertEquals(-1, payload.indexOf("event:"), "no event names");
        String[] events = payload.split("\n\n");
        assertEquals(5, events.length, "3 tokens, the finish chunk and [DONE]: " + payload);
    }

    private static String dechunk(byte[] b, int from) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String latin = new String(b, StandardCharsets.ISO_8859_1);
        int i = from;
        while (true) {
            int eol = latin.indexOf("\r\n", i);
            int size = Integer.parseInt(latin.substring(i, eol).trim(), 16);
            if (size == 0) break;
            out.write(b, eol + 2, size);
            i = eol + 2 + size + 2;
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
