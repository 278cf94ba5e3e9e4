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
        @JsonProperty("total_tokens") @Schema(example = "21") int totalTokens) {
    public static Usage of(int prompt, int completion) {
        return new Usage(prompt, completion, prompt + completion);
    }
}
