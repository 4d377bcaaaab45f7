package dev.pgcache.api;

import io.vertx.ext.web.RoutingContext;

import dev.pgcache.memory.MemoryBudget;

/**
 * Gives a request's share of the {@link MemoryBudget} back when its response has been sent (or
 * its connection closed), not when the method that built the answer returns: until then the
 * answer's bytes are still in memory, waiting to be written to a caller that may read slowly.
 */
final class AnswerLeases {

    private AnswerLeases() {
    }

    static void releaseAtEnd(RoutingContext ctx, MemoryBudget.Lease lease) {
        if (lease.bytes() == 0) {
            lease.close();
            return;
        }
        ctx.addEndHandler(done -> lease.close());
    }
}
