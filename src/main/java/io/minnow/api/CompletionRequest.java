package io.minnow.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** {@code POST /v1/completions}: OpenAI's legacy completions, with vLLM's extra sampling fields. */
@RegisterForReflection
@Schema(name = "CompletionRequest")
public record CompletionRequest(
        @Schema(description = "The served model's id (see /v1/models); may be left out", example = "kjv-tiny-q8_0") String model,
        @Schema(description = "A string, an array of strings, an array of token ids, or an array of arrays of token ids",
                type = SchemaType.OBJECT, oneOf = {String.class, String[].class, int[].class, int[][].class}, example = "In the beginning")
        JsonNode prompt,
        @JsonProperty("max_tokens") @Schema(description = "Most tokens to generate (default 16); 0 is allowed with echo", example = "16") Integer maxTokens,
        @Schema(description = "0 = greedy; default 1", example = "0.7") Double temperature,
        @JsonProperty("top_p") @Schema(description = "Nucleus sampling, in (0, 1]") Double topP,
        @JsonProperty("top_k") @Schema(description = "0 or -1 = off") Integer topK,
        @JsonProperty("min_p") @Schema(description = "in [0, 1]; 0 = off") Double minP,
        @Schema(description = "Choices per prompt (up to the configured limit)", example = "1") Integer n,
        @Schema(description = "Stream server-sent events") Boolean stream,
        @JsonProperty("stream_options") StreamOptions streamOptions,
        @Schema(description = "0..20: log-probabilities of each token and of this many alternatives") Integer logprobs,
        @Schema(description = "Prepend the prompt to the text (and its log-probabilities, the first null)") Boolean echo,
        @Schema(description = "A string or an array of strings; the stop text is not returned",
                type = SchemaType.OBJECT, oneOf = {String.class, String[].class}) JsonNode stop,
        Long seed,
        @JsonProperty("presence_penalty") Double presencePenalty,
        @JsonProperty("frequency_penalty") Double frequencyPenalty,
        @JsonProperty("repetition_penalty") Double repetitionPenalty,
        @JsonProperty("logit_bias") @Schema(description = "token id -> bias in [-100, 100]") Map<String, Double> logitBias,
        String user,
        @JsonProperty("ignore_eos") @Schema(description = "vLLM: keep generating past end-of-generation tokens") Boolean ignoreEos,
        @JsonProperty("session_id") @Schema(description = "Optional conversation id: pins the conversation's KV-cache slot while it is idle "
                + "(the X-Session-Id header does the same). Prefix reuse works without it.") String sessionId) {

    @RegisterForReflection
    @Schema(name = "StreamOptions")
    public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {}
}
