package io.minnow.api;

import io.minnow.engine.Engine;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "OpenAI")
public class ModelsResource {
    private final ModelHost host;
    private final long started = System.currentTimeMillis() / 1000;

    public ModelsResource(ModelHost host) {
        this.host = host;
    }

    @GET
    @Operation(summary = "The served model", description = "One model: the GGUF file loaded at startup.")
    public ModelList list() {
        return new ModelList("list", List.of(card(host.engine())));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One model by id", description = "404 for any id but the served model's.")
    public ModelList.Model get(@PathParam("id") String id) {
        Engine engine = host.engine();
        if (!engine.modelName().equals(id)) throw ApiException.modelNotFound(id);
        return card(engine);
    }

    private ModelList.Model card(Engine engine) {
        return new ModelList.Model(engine.modelName(), "model", started, "minnow", engine.contextSize());
    }
}
