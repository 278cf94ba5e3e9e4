package io.minnow.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import io.minnow.server.Ready;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LangChain4j's OpenAI client, unchanged, against the running test server. */
@QuarkusTest
class LangChain4jTest {
    static final String MODEL = "kjv-tiny-q8_0";

    String baseUrl() {
        return "http://localhost:" + RestAssured.port + "/v1";
    }

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void streamingChat() throws Exception {
        var model = OpenAiStreamingChatModel.builder().baseUrl(baseUrl()).apiKey("unused").modelName(MODEL)
                .temperature(0.0).maxTokens(8).build();
        List<String> partials = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(List.of(UserMessage.from("Who begat Enos?")), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        assertFalse(partials.isEmpty(), "tokens arrived one by one");
        assertEquals(String.join("", partials), r.aiMessage().text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(8, r.tokenUsage().outputTokenCount());
        assertTrue(r.tokenUsage().inputTokenCount() > 0);
        assertNotNull(r.id());
    }

    @Test
    void blockingCompletion() {
        var model = OpenAiLanguageModel.builder().baseUrl(baseUrl()).apiKey("unused").modelName(MODEL).temperature(0.0).build();
        Response<String> r = model.generate("In the beginning");
        assertFalse(r.content().isEmpty());
        assertEquals(16, r.tokenUsage().outputTokenCount(), "OpenAI's default max_tokens");
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }
}
