package dev.pgcache.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import dev.pgcache.protocol.Problem;
import dev.pgcache.memory.BudgetSpentException;
import dev.pgcache.memory.MemoryBudget;

/**
 * Answers requests that break the HTTP layer's own limits with problem+json too. Left alone,
 * the HTTP server ends a body over {@code quarkus.http.limits.max-body-size} with an empty 413
 * before any resource sees it. A declared Content-Length over the cap is refused here before
 * the body is read. A chunked body is read here, before the resource, up to the cap: the REST
 * layer then takes it from the routing context, and one that grows past the cap fails with 413,
 * which {@link RouterFailures} answers (the REST layer's own reader would end it with an empty
 * 413 and log an error). A Transfer-Encoding other than chunked is a 400: its body's length is
 * unknown, and a server that ignored it would read the body as the next request.
 *
 * <p>It also keeps the bodies in flight within the {@link MemoryBudget}
 * ({@code pgcache.limits.max-in-flight-body-size}, shared with the answers being built): each
 * request with a body over 64 KiB takes its declared length (a chunked one: the largest body
 * allowed) from the budget before its body is read and gives it back when its response ends.
 * When the budget is spent the request gets a 503 server-busy with Retry-After at once:
 * concurrent 16 MiB batches would otherwise run a small heap out and fail as 500s.
 */
@ApplicationScoped
class TransportLimits {

    private final long maxBodyBytes;
    private final MemoryBudget budget;
    private final BodyHandler chunkedBodies;

    TransportLimits(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize, MemoryBudget budget) {
        this.maxBodyBytes = maxBodySize.asLongValue();
        this.budget = budget;
        // no file uploads (nothing here takes forms); the cap is the transport's
        this.chunkedBodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        long budgetBytes = budget.capacityBytes();
        if (budgetBytes < maxBodyBytes) {
            throw new IllegalStateException("pgcache.limits.max-in-flight-body-size (" + budgetBytes + " bytes) must be at least "
                    + "quarkus.http.limits.max-body-size (" + maxBodyBytes + " bytes), or the largest allowed body could never be read");
        }
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::checkContentLength); // after the FrontDoor
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
            if (admit(ctx, length)) {
                ctx.next();
            }
        } else if (ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            String coding = ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING);
            if (!coding.trim().toLowerCase(java.util.Locale.ROOT).endsWith("chunked")) {
                // the decoder reads no body then, so what was sent as one would be read as the next request
                ctx.response().endHandler(ended -> ctx.request().connection().close());
                ProblemResponses.send(ctx, Problem.of(400, "bad-request", "Bad request", "Transfer-Encoding '" + coding
                        + "' does not end with chunked, so the body's end cannot be told; send it chunked or with a Content-Length"), true);
                return;
            }
            if (admit(ctx, maxBodyBytes)) { // a chunked body may grow to the cap
                chunkedBodies.handle(ctx);
            }
        } else {
            ctx.next();
        }
    }

    /** @return whether the body's size was taken from the budget; if not, the request has been answered */
    private boolean admit(RoutingContext ctx, long bodyBytes) {
        MemoryBudget.Lease lease;
        try {
            lease = budget.take(bodyBytes, "this request body");
        } catch (BudgetSpentException e) {
            ctx.response().putHeader("Retry-After", MemoryBudget.RETRY_AFTER_SECONDS);
            ProblemResponses.send(ctx, ProblemMappers.serverBusy(e), true);
            return false;
        }
        AnswerLeases.releaseAtEnd(ctx, lease);
        return true;
    }

    private void tooLarge(RoutingContext ctx, String detail) {
        ProblemResponses.send(ctx, Problem.of(413, "payload-too-large", "Request body too large", detail), true);
    }
}
