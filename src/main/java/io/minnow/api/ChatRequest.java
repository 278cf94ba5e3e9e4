package io.minnow.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** {@code POST /v1/chat/completions}. */
@RegisterForReflection
@Schema(name = "ChatCompletionRequest")
public record ChatRequest(
        @Schema(example = "kjv-tiny-q8_0") String model,
        @Schema(required = true) List<Message> messages,
        @JsonProperty("max_tokens") @Schema(description = "Deprecated alias of max_completion_tokens") Integer maxTokens,
        @JsonProperty("max_completion_tokens") @Schema(description = "Most tokens to generate; default: the rest of the context") Integer maxCompletionTokens,
        Double temperature,
        @JsonProperty("top_p") Double topP,
        @JsonProperty("top_k") Integer topK,
        @JsonProperty("min_p") Double minP,
        Integer n,
        Boolean stream,
        @JsonProperty("stream_options") CompletionRequest.StreamOptions streamOptions,
        @Schema(description = "Return the log-probability of each generated token") Boolean logprobs,
        @JsonProperty("top_logprobs") @Schema(description = "0..20 alternatives per token; needs logprobs") Integer topLogprobs,
        @Schema(type = SchemaType.OBJECT, oneOf = {String.class, String[].class}) JsonNode stop,
        Long seed,
        @JsonProperty("presence_penalty") Double presencePenalty,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("repetition_penalty") Double repetitionPenalty,
        @JsonProperty("logit_bias") Map<String, Double> logitBias,
        String user,
        @JsonProperty("ignore_eos") Boolean ignoreEos,
        @JsonProperty("session_id") @Schema(description = "Optional conversation id: pins the conversation's KV-cache slot while it is idle "
                + "(the X-Session-Id header does the same). Prefix reuse works without it.") String sessionId) {

    /** One message; {@code content} is a string or an array of {@code {"type":"text","text":...}} parts. */
    @RegisterForReflection
    @Schema(name = "ChatMessage")
    public record Message(
            @Schema(required = true, enumeration = {"system", "developer", "user", "assistant"}, example = "user") String role,
            @Schema(type = SchemaType.OBJECT, oneOf = {String.class, ContentPart[].class}, example = "Who begat Enos?") JsonNode content,
            String name) {}

    @RegisterForReflection
    @Schema(name = "ChatContentPart")
    public record ContentPart(@Schema(example = "text") String type, String text) {}
}
