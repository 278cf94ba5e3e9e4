package io.minnow.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Token counts of a request. */
@RegisterForReflection
@Schema(name = "Usage")
public record Usage(
        @JsonProperty("prompt_tokens") @Schema(example = "5") int promptTokens,
        @JsonProperty("completion_tokens") @Schema(example = "16") int completionTokens,
        @JsonProperty("total_tokens") @Schema(example = "21") int totalTokens,
        @JsonProperty("prompt_tokens_details") @Schema(description = "cached_tokens: prompt tokens reused from the KV cache") Details promptTokensDetails) {

    @RegisterForReflection
    @Schema(name = "PromptTokensDetails")
    public record Details(@JsonProperty("cached_tokens") @Schema(example = "0") int cachedTokens) {}

    public static Usage of(int prompt, int completion) {
        return of(prompt, completion, 0);
    }

    public static Usage of(int prompt, int completion, int cached) {
        return new Usage(prompt, completion, prompt + completion, new Details(cached));
    }
}
