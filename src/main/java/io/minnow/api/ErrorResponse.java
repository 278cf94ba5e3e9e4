package io.minnow.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** OpenAI's error body. */
@RegisterForReflection
@Schema(name = "ErrorResponse", description = "Every error answers with this body and the status OpenAI uses.")
public record ErrorResponse(Detail error) {
    @RegisterForReflection
    @Schema(name = "ErrorDetail")
    public record Detail(
            @Schema(example = "temperature must be >= 0, got -1.0") String message,
            @Schema(example = "invalid_request_error") String type,
            @Schema(example = "temperature", nullable = true) String param,
            @Schema(example = "context_length_exceeded", nullable = true) String code) {}

    public static ErrorResponse of(String message, String type, String param, String code) {
        return new ErrorResponse(new Detail(message, type, param, code));
    }
}
