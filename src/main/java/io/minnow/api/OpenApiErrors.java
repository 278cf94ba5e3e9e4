package io.minnow.api;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * Documents the error statuses on every API operation (registered with {@code mp.openapi.filter}): all answer
 * with {@link ErrorResponse}.
 */
public class OpenApiErrors implements OASFilter {
    private static final Map<String, String> COMMON = Map.of(
            "400", "Invalid request: a missing field, a wrong type, a value out of range, or malformed JSON",
            "401", "Missing or wrong API key (when keys are configured)",
            "413", "Body over the configured limit (minnow.max-request-bytes)");
    private static final Map<String, String> GENERATION = Map.of(
            "400", "Invalid request, or the prompt exceeds the context (code context_length_exceeded)",
            "404", "Unknown model",
            "429", "Overloaded: the waiting queue is full (Retry-After)",
            "503", "Waited too long for a slot, or the model is still loading (Retry-After)");

    @Override
    public void filterOpenAPI(OpenAPI api) {
        if (api.getPaths() == null || api.getPaths().getPathItems() == null) return;
        for (var e : api.getPaths().getPathItems().entrySet()) {
            String path = e.getKey();
            boolean apiPath = path.startsWith("/v1") || path.startsWith("/tokenize") || path.startsWith("/detokenize") || path.startsWith("/tokenizer_info");
            if (!apiPath) continue;
            for (Map.Entry<PathItem.HttpMethod, Operation> op : e.getValue().getOperations().entrySet()) {
                COMMON.forEach((code, desc) -> add(op.getValue(), code, desc));
                if (path.contains("completions")) GENERATION.forEach((code, desc) -> add(op.getValue(), code, desc));
                if (path.startsWith("/v1/models/")) add(op.getValue(), "404", "Unknown model");
            }
        }
    }

    private static void add(Operation op, String code, String description) {
        if (op.getResponses() == null) op.setResponses(OASFactory.createAPIResponses());
        APIResponse r = OASFactory.createAPIResponse().description(description).content(errorContent());
        op.getResponses().addAPIResponse(code, r);
    }

    private static Content errorContent() {
        return OASFactory.createContent().addMediaType("application/json",
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref("#/components/schemas/ErrorResponse")));
    }
}
