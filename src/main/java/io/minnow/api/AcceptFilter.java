package io.minnow.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The generation endpoints answer JSON or server-sent events depending on the body's {@code stream} field, not on
 * content negotiation; clients send {@code Accept: application/json} or {@code text/event-stream} for either. So
 * their Accept header is ignored (a RESTEasy Reactive stream cannot declare two media types).
 */
public class AcceptFilter {
    @ServerRequestFilter(preMatching = true)
    public void ignoreAccept(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        if (path.equals("/v1/completions") || path.equals("/v1/chat/completions")) {
            ctx.getHeaders().remove(HttpHeaders.ACCEPT);
        }
    }
}
