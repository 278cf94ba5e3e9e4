package io.minnow.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A completion, or one chunk of a streamed one (same shape). {@code usage} is a {@link Usage}, JSON null (streamed
 * chunks when the usage chunk was asked for) or absent (Java null: streamed chunks without it).
 */
@RegisterForReflection
@Schema(name = "CompletionResponse")
public record CompletionResponse(
        @Schema(example = "cmpl-5f0c1e2a9b7d4c3e8a6f1b2c") String id,
        @Schema(example = "text_completion") String object,
        @Schema(example = "1767225600") long created,
        @Schema(example = "kjv-tiny-q8_0") String model,
        List<Choice> choices,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(implementation = Usage.class, nullable = true) Object usage) {

    @RegisterForReflection
    @Schema(name = "CompletionChoice")
    public record Choice(
            int index,
            @Schema(example = " God created the heaven and the earth.") String text,
            @Schema(nullable = true) Logprobs logprobs,
            @JsonProperty("finish_reason") @Schema(enumeration = {"stop", "length"}, nullable = true) String finishReason) {}

    /** The legacy log-probabilities: parallel arrays, one entry per token. */
    @RegisterForReflection
    @Schema(name = "CompletionLogprobs")
    public record Logprobs(
            List<String> tokens,
            @JsonProperty("token_logprobs") @Schema(description = "null for the first prompt token") List<Float> tokenLogprobs,
            @JsonProperty("top_logprobs") @Schema(description = "token text -> logprob, the chosen token included; null for the first prompt token")
            List<Map<String, Float>> topLogprobs,
            @JsonProperty("text_offset") @Schema(description = "character offset of each token in the text") List<Integer> textOffset) {}
}
