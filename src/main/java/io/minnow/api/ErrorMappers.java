package io.minnow.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.minnow.engine.EngineException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into OpenAI's error body: malformed JSON never gives a 500 or an HTML page. */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    public static Response response(ApiException e) {
        Response.ResponseBuilder b = Response.status(e.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(e.body());
        if (e.retryAfterSeconds() != null) {
            b.header("Retry-After", e.retryAfterSeconds().toString());
        }
        return b.build();
    }

    /** The API error an engine refusal stands for. */
    public static ApiException fromEngine(EngineException e) {
        return switch (e.kind()) {
            case CONTEXT_LENGTH_EXCEEDED -> new ApiException(400, "invalid_request_error", "context_length_exceeded", null, e.getMessage(), null);
            case INVALID -> new ApiException(400, "invalid_request_error", null, null, e.getMessage(), null);
            case OVERLOADED -> new ApiException(429, "rate_limit_error", "server_overloaded", null, e.getMessage(), 1);
            case QUEUE_TIMEOUT -> new ApiException(503, "server_error", "queue_timeout", null, e.getMessage(), 5);
            case UNAVAILABLE -> new ApiException(503, "server_error", "unavailable", null, e.getMessage(), 5);
        };
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return response(e);
    }

    @ServerExceptionMapper
    public Response engine(EngineException e) {
        return response(fromEngine(e));
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return response(badJson(e));
    }

    /** More specific than Quarkus's own mapper for it, whose body is not OpenAI's. */
    @ServerExceptionMapper
    public Response mismatched(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return response(badJson(e));
    }

    @ServerExceptionMapper
    public Response illegalArgument(IllegalArgumentException e) {
        return response(ApiException.invalid(null, e.getMessage()));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Throwable c = e.getCause();
        if (c instanceof JsonProcessingException j) {
            return response(badJson(j));
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        String code = switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "request_too_large";
            case 415 -> "unsupported_media_type";
            default -> null;
        };
        String message = status == 400 && c != null ? "could not read the request: " + c.getMessage() : e.getMessage();
        return response(new ApiException(status, type, code, null, message, null));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (e instanceof EngineException ee) return engine(ee);
        if (e instanceof ApiException ae) return api(ae);
        LOG.error("Unexpected failure", e);
        return response(new ApiException(500, "server_error", null, null, "internal error: " + e.getClass().getSimpleName(), null));
    }

    private static ApiException badJson(JsonProcessingException e) {
        String param = null;
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            param = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
        }
        String msg = e.getOriginalMessage();
        if (msg != null && msg.length() > 300) msg = msg.substring(0, 300) + "...";
        return ApiException.invalid(param, (param != null ? "invalid value for '" + param + "': " : "malformed JSON: ") + msg);
    }
}
