package io.minnow.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Bodies of vLLM's tokenizer endpoints. */
public final class TokenizerDtos {
    private TokenizerDtos() {}

    @RegisterForReflection
    @Schema(name = "TokenizeRequest", description = "Either prompt, or messages rendered with the chat template")
    public record TokenizeRequest(
            String model,
            @Schema(example = "In the beginning") String prompt,
            List<ChatRequest.Message> messages,
            @JsonProperty("add_special_tokens") @Schema(description = "add BOS (default true for prompt, false for messages)") Boolean addSpecialTokens,
            @JsonProperty("add_generation_prompt") @Schema(description = "with messages; default true") Boolean addGenerationPrompt) {}

    @RegisterForReflection
    @Schema(name = "TokenizeResponse")
    public record TokenizeResponse(@Schema(example = "[2047, 285, 263]") List<Integer> tokens, int count,
            @JsonProperty("max_model_len") int maxModelLen) {}

    @RegisterForReflection
    @Schema(name = "DetokenizeRequest")
    public record DetokenizeRequest(String model, @Schema(required = true, example = "[285, 263]") List<Integer> tokens) {}

    @RegisterForReflection
    @Schema(name = "DetokenizeResponse")
    public record DetokenizeResponse(@Schema(example = "In the beginning") String prompt) {}

    @RegisterForReflection
    @Schema(name = "TokenizerInfo")
    public record TokenizerInfo(
            @JsonProperty("tokenizer_class") @Schema(example = "gpt2") String tokenizerClass,
            @JsonProperty("bos_token") String bosToken,
            @JsonProperty("eos_token") String eosToken,
            @JsonProperty("bos_token_id") int bosTokenId,
            @JsonProperty("eos_token_id") int eosTokenId,
            @JsonProperty("chat_template") @Schema(nullable = true) String chatTemplate,
            @JsonProperty("model_max_length") int modelMaxLength,
            @JsonProperty("vocab_size") int vocabSize) {}
}
