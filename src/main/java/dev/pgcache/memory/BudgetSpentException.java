package dev.pgcache.memory;

/**
 * The memory budget cannot hold one more large message now: the request is answered with a 503
 * server-busy and Retry-After ({@link MemoryBudget#RETRY_AFTER_SECONDS}), and nothing was read,
 * built or written for it.
 */
public class BudgetSpentException extends RuntimeException {

    public BudgetSpentException(String what, long bytes, long capacityBytes) {
        super("other large request bodies and answers are being handled (" + MemoryBudget.PROPERTY + ", " + capacityBytes
                + " bytes in all); " + what + " of " + bytes + " bytes does not fit, and nothing was done with it; retry after "
                + MemoryBudget.RETRY_AFTER_SECONDS + " s", null, false, false);
    }
}
