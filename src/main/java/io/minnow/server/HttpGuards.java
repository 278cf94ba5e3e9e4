package io.minnow.server;

import io.minnow.api.ErrorResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Checks every request before it reaches the API, at the HTTP layer, so that its refusals are OpenAI error bodies too:
 * <ul>
 * <li>a body over {@code minnow.max-request-bytes} (by its Content-Length) gets 413 before it is read; a chunked
 * body (no Content-Length) is cut off at the same size by the HTTP layer ({@code quarkus.http.limits.max-body-size}),
 * and its failure is answered with the same JSON 413;</li>
 * <li>with {@code minnow.api-keys} set, {@code /v1/*}, {@code /tokenize}, {@code /detokenize} and {@code /tokenizer_info}
 * need {@code Authorization: Bearer KEY}, compared in constant time (health, metrics and OpenAPI stay open; keys are never
 * logged);</li>
 * <li>a path nothing serves gets a JSON 404.</li>
 * </ul>
 */
@Singleton
public class HttpGuards {
    private final long maxBody;
    private final List<byte[]> keyDigests;
    private final BodyHandler chunkedBodies;

    public HttpGuards(MinnowConfig config) {
        this.maxBody = config.maxRequestBytes().asLongValue();
        this.chunkedBodies = BodyHandler.create(false).setBodyLimit(maxBody);
        this.keyDigests = config.apiKeys().orElse(List.of()).stream()
                .map(String::trim).filter(k -> !k.isEmpty()).map(HttpGuards::digest).toList();
    }

    void install(@Observes Router router) {
        router.route().order(-1000).handler(this::guard);
        // The HTTP layer cuts a chunked body (no Content-Length) off at the same limit and fails the request with
        // 413; answer that as an OpenAI error too instead of an empty 413.
        router.route().order(-1001).failureHandler(ctx -> {
            if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                send(ctx, 413, "invalid_request_error", "request_too_large",
                        "the request body is larger than the limit of " + maxBody + " bytes (minnow.max-request-bytes)");
            } else {
                ctx.next();
            }
        });
        router.route().order(Integer.MAX_VALUE).handler(ctx -> {
            if (!ctx.response().ended()) {
                send(ctx, 404, "invalid_request_error", "not_found", "no route for " + ctx.request().method() + " " + ctx.normalizedPath());
            }
        });
    }

    private void guard(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n > maxBody) {
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                send(ctx, 413, "invalid_request_error", "request_too_large",
                        "the request body has " + n + " bytes; the limit is " + maxBody + " (minnow.max-request-bytes)");
                return;
            }
        }
        if (!keyDigests.isEmpty() && protectedPath(ctx.normalizedPath()) && !authorized(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))) {
            send(ctx, 401, "invalid_request_error", "invalid_api_key", "missing or invalid API key: send Authorization: Bearer <key>");
            return;
        }
        if (length == null && ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING, "chunked", true)) {
            chunkedBodies.handle(ctx); // reads the body up to the limit, then ctx.next(); past it, fails with 413
            return;
        }
        ctx.next();
    }

    static boolean protectedPath(String p) {
        return p.startsWith("/v1/") || p.equals("/v1") || p.equals("/tokenize") || p.equals("/detokenize") || p.equals("/tokenizer_info");
    }

    boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        byte[] given = digest(header.substring(7).trim());
        boolean ok = false;
        for (byte[] k : keyDigests) {
            ok |= MessageDigest.isEqual(given, k); // every key compared: no early exit
        }
        return ok;
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void send(RoutingContext ctx, int status, String type, String code, String message) {
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Json.encode(ErrorResponse.of(message, type, null, code)));
    }
}
