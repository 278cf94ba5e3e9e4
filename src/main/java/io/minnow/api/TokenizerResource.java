package io.minnow.api;

import io.minnow.engine.Engine;
import io.minnow.tokenizer.Tokenizer;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** vLLM's tokenizer endpoints, in the shapes lm-evaluation-harness's remote tokenizer expects. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Tokenizer")
public class TokenizerResource {
    private final ModelHost host;
    private final ChatService chat;

    public TokenizerResource(ModelHost host, ChatService chat) {
        this.host = host;
        this.chat = chat;
    }

    @POST
    @Path("tokenize")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Text (or chat messages) to token ids")
    public TokenizerDtos.TokenizeResponse tokenize(TokenizerDtos.TokenizeRequest r) {
        if (r == null) throw ApiException.invalid(null, "the request body is required");
        Engine engine = host.engine();
        Params.checkModel(r.model(), engine);
        int[] ids;
        if (r.messages() != null) {
            if (r.prompt() != null) throw ApiException.invalid("prompt", "give either prompt or messages");
            var rendered = chat.template(engine).render(ChatService.turns(r.messages()), !Boolean.FALSE.equals(r.addGenerationPrompt()));
            boolean special = r.addSpecialTokens() != null ? r.addSpecialTokens() : rendered.addSpecial();
            ids = engine.tokenizer().encode(rendered.text(), special, true);
        } else {
            if (r.prompt() == null) throw ApiException.invalid("prompt", "prompt is required");
            ids = engine.tokenizer().encode(r.prompt(), !Boolean.FALSE.equals(r.addSpecialTokens()), true);
        }
        return new TokenizerDtos.TokenizeResponse(Arrays.stream(ids).boxed().toList(), ids.length, engine.contextSize());
    }

    @POST
    @Path("detokenize")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Token ids to text")
    public TokenizerDtos.DetokenizeResponse detokenize(TokenizerDtos.DetokenizeRequest r) {
        if (r == null) throw ApiException.invalid(null, "the request body is required");
        Engine engine = host.engine();
        Params.checkModel(r.model(), engine);
        if (r.tokens() == null) throw ApiException.invalid("tokens", "tokens is required");
        int vocab = engine.config().nVocab;
        int[] ids = new int[r.tokens().size()];
        for (int i = 0; i < ids.length; i++) {
            Integer t = r.tokens().get(i);
            if (t == null || t < 0 || t >= vocab) throw ApiException.invalid("tokens", "token id " + t + " is outside the vocabulary (0.." + (vocab - 1) + ")");
            ids[i] = t;
        }
        return new TokenizerDtos.DetokenizeResponse(engine.tokenizer().decode(ids));
    }

    @GET
    @Path("tokenizer_info")
    @Operation(summary = "Special tokens, chat template and limits of the tokenizer")
    public TokenizerDtos.TokenizerInfo info() {
        Engine engine = host.engine();
        Tokenizer tok = engine.tokenizer();
        String model = engine.model().file().getString(io.minnow.gguf.Names.TOKENIZER_MODEL, "unknown");
        return new TokenizerDtos.TokenizerInfo(model, ChatService.special(tok, tok.bos()), ChatService.special(tok, tok.eos()),
                tok.bos(), tok.eos(), chat.template(engine).source(), engine.contextSize(), tok.vocabSize());
    }
}
