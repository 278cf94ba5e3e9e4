package io.minnow.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ChatTest {
    static final String MESSAGES = "[{\"role\":\"system\",\"content\":\"Answer from the book.\"},{\"role\":\"user\",\"content\":\"Who begat Enos?\"}]";

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static Response post(String body) {
        return given().contentType("application/json").body(body).post("/v1/chat/completions");
    }

    @Test
    void blockingChat() {
        JsonPath j = post("{\"model\":\"kjv-tiny-q8_0\",\"messages\":" + MESSAGES + ",\"max_completion_tokens\":6,\"temperature\":0}").then()
                .statusCode(200).contentType("application/json")
                .body("id", startsWith("chatcmpl-"))
                .body("object", equalTo("chat.completion"))
                .body("choices", hasSize(1))
                .body("choices[0].message.role", equalTo("assistant"))
                .body("choices[0].message.content", notNullValue())
                .body("choices[0].finish_reason", equalTo("length"))
                .body("usage.completion_tokens", equalTo(6))
                .extract().jsonPath();
        // the plain fallback template: the prompt is "system: ...\nuser: ...\nassistant:" with BOS
        int prompt = given().contentType("application/json")
                .body("{\"prompt\":\"system: Answer from the book.\\nuser: Who begat Enos?\\nassistant:\"}").post("/tokenize").jsonPath().getInt("count");
        assertEquals(prompt, j.getInt("usage.prompt_tokens"));
        int viaMessages = given().contentType("application/json").body("{\"messages\":" + MESSAGES + "}").post("/tokenize").jsonPath().getInt("count");
        assertEquals(prompt, viaMessages);
    }

    @Test
    void maxTokensAliasContentPartsAndChoices() {
        post("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Who begat\"},{\"type\":\"text\",\"text\":\"Enos?\"}]}],"
                + "\"max_tokens\":3,\"n\":2,\"temperature\":0.9,\"seed\":3}").then().statusCode(200)
                .body("choices", hasSize(2))
                .body("choices[1].index", equalTo(1))
                .body("usage.completion_tokens", equalTo(6));
    }

    @Test
    void logprobs() {
        JsonPath j = post("{\"messages\":" + MESSAGES + ",\"max_completion_tokens\":3,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2}").then()
                .statusCode(200).extract().jsonPath();
        List<?> content = j.getList("choices[0].logprobs.content");
        assertEquals(3, content.size());
        assertEquals(2, j.getList("choices[0].logprobs.content[0].top_logprobs").size());
        assertTrue(j.getFloat("choices[0].logprobs.content[0].logprob") <= 0);
        assertFalse(j.getList("choices[0].logprobs.content[0].bytes").isEmpty());
        String joined = String.join("", j.<String>getList("choices[0].logprobs.content.token"));
        assertEquals(j.getString("choices[0].message.content"), joined);
    }

    @Test
    void streamedChat() {
        Response r = post("{\"messages\":" + MESSAGES + ",\"max_completion_tokens\":5,\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        r.then().statusCode(200).contentType(startsWith("text/event-stream"));
        List<JsonPath> chunks = Sse.chunks(r.asString());
        JsonPath first = chunks.get(0);
        assertEquals("assistant", first.getString("choices[0].delta.role"));
        assertEquals("chat.completion.chunk", first.getString("object"));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < chunks.size() - 1; i++) {
            JsonPath c = chunks.get(i);
            assertEquals(first.getString("id"), c.getString("id"));
            assertEquals(first.getLong("created"), c.getLong("created"));
            assertTrue(c.getMap("").containsKey("usage"));
            assertNull(c.get("usage"));
            if (i > 0) assertNull(c.get("choices[0].delta.role"), "only the first chunk has the role");
            String piece = c.getString("choices[0].delta.content");
            if (piece != null) text.append(piece);
        }
        JsonPath finish = chunks.get(chunks.size() - 2);
        assertEquals("length", finish.getString("choices[0].finish_reason"));
        JsonPath usage = chunks.get(chunks.size() - 1);
        assertEquals(List.of(), usage.getList("choices"));
        assertEquals(5, usage.getInt("usage.completion_tokens"));
        String whole = post("{\"messages\":" + MESSAGES + ",\"max_completion_tokens\":5,\"temperature\":0}").jsonPath().getString("choices[0].message.content");
        assertEquals(whole, text.toString());
    }

    @Test
    void streamedChatWithoutUsage() {
        List<JsonPath> chunks = Sse.chunks(post("{\"messages\":" + MESSAGES + ",\"max_tokens\":3,\"temperature\":0,\"stream\":true}").asString());
        for (JsonPath c : chunks) {
            assertFalse(c.getMap("").containsKey("usage"));
            assertEquals(1, c.getList("choices").size());
        }
        assertEquals("length", chunks.get(chunks.size() - 1).getString("choices[0].finish_reason"));
    }

    @Test
    void invalidChats() {
        CompletionsTest.expect400Chat("{\"messages\":[]}", "messages");
        CompletionsTest.expect400Chat("{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}", "messages.[0].role");
        CompletionsTest.expect400Chat("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}", "messages.[0].content");
        CompletionsTest.expect400Chat("{\"messages\":" + MESSAGES + ",\"top_logprobs\":2}", "top_logprobs");
        CompletionsTest.expect400Chat("{\"messages\":" + MESSAGES + ",\"logprobs\":true,\"top_logprobs\":21}", "top_logprobs");
        CompletionsTest.expect400Chat("{\"messages\":" + MESSAGES + ",\"temperature\":-0.5}", "temperature");
        CompletionsTest.expect400Chat("{\"messages\":" + MESSAGES + ",\"max_completion_tokens\":0}", "max_completion_tokens");
        CompletionsTest.expect400Chat("{\"messages\":\"hello\"}", "messages");
        post("{\"model\":\"llama\",\"messages\":" + MESSAGES + "}").then().statusCode(404).body("error.code", equalTo("model_not_found"));
        String longText = "In the beginning God created the heaven and the earth. ".repeat(40);
        post("{\"messages\":[{\"role\":\"user\",\"content\":\"" + longText + "\"}]}").then().statusCode(400)
                .body("error.code", equalTo("context_length_exceeded"));
    }
}
