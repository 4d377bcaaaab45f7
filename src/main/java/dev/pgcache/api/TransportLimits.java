package dev.pgcache.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Answers requests that break the HTTP layer's own limits with problem+json too. Left alone,
 * the HTTP server ends a body over {@code quarkus.http.limits.max-body-size} with an empty 413
 * before any resource sees it. A declared Content-Length over the cap is refused here before
 * the body is read; a chunked body that grows past it is caught by the router's 413 handler.
 */
@ApplicationScoped
class TransportLimits {

    private final long maxBodyBytes;

    TransportLimits(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::checkContentLength);
        router.errorHandler(413, ctx -> tooLarge(ctx, "the request body is larger than " + maxBodyBytes + " bytes"));
    }

    private void checkContentLength(RoutingContext ctx) {
        String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                length = -1;
            }
            if (length < 0) {
                ProblemResponses.send(ctx, Problem.of(400, "bad-request", "Bad request", "Content-Length '" + declared + "' is not a number of bytes"), true);
                return;
            }
            if (length > maxBodyBytes) {
                tooLarge(ctx, "the request body is " + length + " bytes; the largest this server reads is " + maxBodyBytes
                        + " bytes (quarkus.http.limits.max-body-size)");
                return;
            }
        }
        ctx.next();
    }

    private void tooLarge(RoutingContext ctx, String detail) {
        ProblemResponses.send(ctx, Problem.of(413, "payload-too-large", "Request body too large", detail), true);
    }
}
