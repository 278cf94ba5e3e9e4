package io.minnow.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** {@code GET /v1/models}. */
@RegisterForReflection
@Schema(name = "ModelList")
public record ModelList(@Schema(example = "list") String object, List<Model> data) {
    @RegisterForReflection
    @Schema(name = "Model")
    public record Model(
            @Schema(example = "kjv-tiny-q8_0") String id,
            @Schema(example = "model") String object,
            long created,
            @JsonProperty("owned_by") @Schema(example = "minnow") String ownedBy,
            @JsonProperty("max_model_len") @Schema(description = "tokens per sequence", example = "256") int maxModelLen) {}
}
