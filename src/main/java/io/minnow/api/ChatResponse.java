package io.minnow.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A chat completion ({@code object: chat.completion}). */
@RegisterForReflection
@Schema(name = "ChatCompletionResponse")
public record ChatResponse(
        @Schema(example = "chatcmpl-5f0c1e2a9b7d4c3e8a6f1b2c") String id,
        @Schema(example = "chat.completion") String object,
        long created,
        @Schema(example = "kjv-tiny-q8_0") String model,
        List<Choice> choices,
        Usage usage) {

    @RegisterForReflection
    @Schema(name = "ChatChoice")
    public record Choice(int index, OutMessage message, @Schema(nullable = true) Logprobs logprobs,
            @JsonProperty("finish_reason") @Schema(enumeration = {"stop", "length"}) String finishReason) {}

    @RegisterForReflection
    @Schema(name = "ChatResponseMessage")
    public record OutMessage(@Schema(example = "assistant") String role, String content) {}

    /** {@code logprobs} of a chat choice. */
    @RegisterForReflection
    @Schema(name = "ChatLogprobs")
    public record Logprobs(List<TokenLogprob> content, @Schema(nullable = true) String refusal) {}

    @RegisterForReflection
    @Schema(name = "ChatTokenLogprob")
    public record TokenLogprob(String token, float logprob, List<Integer> bytes,
            @JsonProperty("top_logprobs") List<TopLogprob> topLogprobs) {}

    @RegisterForReflection
    @Schema(name = "ChatTopLogprob")
    public record TopLogprob(String token, float logprob, List<Integer> bytes) {}

    /** One streamed chunk ({@code object: chat.completion.chunk}). */
    @RegisterForReflection
    @Schema(name = "ChatCompletionChunk")
    public record Chunk(String id, String object, long created, String model, List<ChunkChoice> choices,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(implementation = Usage.class, nullable = true) Object usage) {}

    @RegisterForReflection
    @Schema(name = "ChatChunkChoice")
    public record ChunkChoice(int index, Delta delta, @Schema(nullable = true) Logprobs logprobs,
            @JsonProperty("finish_reason") @Schema(nullable = true) String finishReason) {}

    /** The first chunk of a choice carries the role, later ones content; the last is empty. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ChatDelta")
    public record Delta(String role, String content) {}
}
