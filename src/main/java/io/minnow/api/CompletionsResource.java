package io.minnow.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;

@Path("/v1")
@Tag(name = "OpenAI")
public class CompletionsResource {
    private final CompletionService completions;
    private final ChatService chat;

    public CompletionsResource(CompletionService completions, ChatService chat) {
        this.completions = completions;
        this.chat = chat;
    }

    @POST
    @Path("/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Text completion", description = "OpenAI's legacy completions. With stream: server-sent events "
            + "(data: {chunk} per event, data: [DONE] last). With echo and logprobs the prompt tokens carry their log-probabilities, "
            + "the first null, as lm-evaluation-harness's local-completions needs.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CompletionRequest.class),
            examples = {
                    @ExampleObject(name = "text", value = "{\"prompt\": \"In the beginning\", \"max_tokens\": 16, \"temperature\": 0}"),
                    @ExampleObject(name = "loglikelihood", value = "{\"prompt\": [[2047, 285, 263, 1022]], \"max_tokens\": 1, \"echo\": true, \"logprobs\": 1, \"temperature\": 0}"),
                    @ExampleObject(name = "stream", value = "{\"prompt\": \"And God said\", \"max_tokens\": 8, \"stream\": true, \"stream_options\": {\"include_usage\": true}}")}))
    @APIResponse(responseCode = "200", description = "The completion, or its chunks as server-sent events", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CompletionResponse.class)),
            @Content(mediaType = "text/event-stream", schema = @Schema(implementation = CompletionResponse.class))})
    public RestMulti<String> completions(CompletionRequest request,
            @Parameter(description = "Optional conversation id that pins its KV-cache slot") @HeaderParam("X-Session-Id") String sessionId) {
        return completions.complete(request, sessionId);
    }

    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Chat completion", description = "Messages rendered with the model's own chat template (or the plain "
            + "fallback). With stream: the first chunk carries delta.role, later ones delta.content, the last finish_reason.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ChatRequest.class),
            examples = {
                    @ExampleObject(name = "chat", value = "{\"messages\": [{\"role\": \"user\", \"content\": \"Who begat Enos?\"}], \"max_completion_tokens\": 24}"),
                    @ExampleObject(name = "stream", value = "{\"messages\": [{\"role\": \"user\", \"content\": \"Who begat Enos?\"}], \"stream\": true, \"stream_options\": {\"include_usage\": true}}")}))
    @APIResponse(responseCode = "200", description = "The chat completion, or its chunks as server-sent events", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ChatResponse.class)),
            @Content(mediaType = "text/event-stream", schema = @Schema(implementation = ChatResponse.Chunk.class))})
    public RestMulti<String> chatCompletions(ChatRequest request,
            @Parameter(description = "Optional conversation id that pins its KV-cache slot") @HeaderParam("X-Session-Id") String sessionId) {
        return chat.chat(request, sessionId);
    }
}
