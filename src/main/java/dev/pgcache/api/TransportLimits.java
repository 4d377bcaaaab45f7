package dev.pgcache.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.pgcache.protocol.Problem;
import dev.pgcache.memory.BudgetSpentException;
import dev.pgcache.memory.MemoryBudget;

/**
 * Answers requests that break the HTTP layer's own limits with problem+json too. Left alone,
 * the HTTP server ends a body over {@code quarkus.http.limits.max-body-size} with an empty 413
 * before any resource sees it. A declared Content-Length over the cap is refused here before
 * the body is read; a chunked body that grows past it is caught by the router's 413 handler.
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

    TransportLimits(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize, MemoryBudget budget) {
        this.maxBodyBytes = maxBodySize.asLongValue();
        this.budget = budget;
        long budgetBytes = budget.capacityBytes();
        if (budgetBytes < maxBodyBytes) {
            throw new IllegalStateException("pgcache.limits.max-in-flight-body-size (" + budgetBytes + " bytes) must be at least "
                    + "quarkus.http.limits.max-body-size (" + maxBodyBytes + " bytes), or the largest allowed body could never be read");
        }
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::checkContentLength); // after the FrontDoor
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
            admit(ctx, length);
        } else if (ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            admit(ctx, maxBodyBytes); // a chunked body may grow to the cap
        } else {
            ctx.next();
        }
    }

    private void admit(RoutingContext ctx, long bodyBytes) {
        MemoryBudget.Lease lease;
        try {
            lease = budget.take(bodyBytes, "this request body");
        } catch (BudgetSpentException e) {
            ctx.response().putHeader("Retry-After", MemoryBudget.RETRY_AFTER_SECONDS);
            ProblemResponses.send(ctx, ProblemMappers.serverBusy(e), true);
            return;
        }
        AnswerLeases.releaseAtEnd(ctx, lease);
        ctx.next();
    }

    private void tooLarge(RoutingContext ctx, String detail) {
        ProblemResponses.send(ctx, Problem.of(413, "payload-too-large", "Request body too large", detail), true);
    }
}
