package dev.pgcache.memory;

import java.util.concurrent.Semaphore;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.pgcache.config.PgcacheConfig;

/**
 * One budget for the large messages this replica holds in memory at once: request bodies being
 * read and handled, and answers being built (a batch-get, a JSON-RPC batch). Each takes its size
 * from the budget before the bytes are in memory and gives it back when its response has been
 * sent. When the budget is spent the request gets a 503 server-busy with Retry-After at once,
 * instead of a wait that would hold a thread, or an OutOfMemoryError that would fail every other
 * request as well.
 *
 * <p>The unit is the message's size in bytes, not the heap it costs: a message takes about four
 * times its size while it is parsed, bound, built and written (bytes, decoded text, a copy per
 * step), so the default 16 MiB budget in a 128 MB heap leaves room for everything else.
 * Messages up to {@link #UNCOUNTED_BYTES} are not counted: the small requests that make up most
 * of the traffic never wait on a large one, and together they are bounded by the threads and
 * connections that serve them.
 *
 * <p>Sized by {@code pgcache.limits.max-in-flight-body-size} (request and answer bodies alike).
 * Lives below the HTTP layer so that every feature that builds a large answer can take from it.
 */
@ApplicationScoped
public class MemoryBudget {

    /** Messages up to this size are not counted against the budget. */
    public static final long UNCOUNTED_BYTES = 64 * 1024;

    /** Seconds a caller refused for lack of budget should wait; large messages are handled in milliseconds. */
    public static final String RETRY_AFTER_SECONDS = "1";

    static final String PROPERTY = "pgcache.limits.max-in-flight-body-size";

    private final long capacityBytes;
    /** One permit per KiB, so that the largest budget fits an int. */
    private final Semaphore permits;

    @Inject
    MemoryBudget(PgcacheConfig config) {
        this(config.limits().maxInFlightBodySize().asLongValue());
    }

    MemoryBudget(long capacityBytes) {
        this.capacityBytes = capacityBytes;
        this.permits = new Semaphore(kib(capacityBytes));
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    /** A lease of nothing yet, to {@link Lease#growTo grow} once the size of what it holds is known. */
    public Lease empty() {
        return new Lease();
    }

    /**
     * Takes {@code bytes} for one message, nothing when it is small.
     *
     * @param what what the bytes are for, as the 503's detail names it ("this body of 300000 bytes")
     * @throws BudgetSpentException when the budget does not have them
     */
    public Lease take(long bytes, String what) {
        Lease lease = new Lease();
        lease.growTo(bytes, what);
        return lease;
    }

    private static int kib(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, (bytes + 1023) / 1024);
    }

    /**
     * Bytes held from the budget for one request; {@link #close()} gives them back (once, however
     * often it is called). A request whose size grows as it is answered grows its lease.
     */
    public final class Lease implements AutoCloseable {

        private int held;
        private boolean closed;

        private Lease() {
        }

        /**
         * Holds {@code bytes} in all (more when it already holds more: a lease never shrinks
         * before it is closed). Sizes up to {@link #UNCOUNTED_BYTES} take nothing.
         *
         * @throws BudgetSpentException when the budget does not have the difference; the lease keeps what it held
         */
        public synchronized void growTo(long bytes, String what) {
            if (closed) {
                throw new IllegalStateException("the lease was closed");
            }
            if (bytes <= UNCOUNTED_BYTES) {
                return;
            }
            int wanted = kib(bytes);
            if (wanted <= held) {
                return;
            }
            if (!permits.tryAcquire(wanted - held)) {
                throw new BudgetSpentException(what, bytes, capacityBytes);
            }
            held = wanted;
        }

        /** Bytes held, rounded up to whole KiB; 0 for a small message. */
        public synchronized long bytes() {
            return held * 1024L;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                permits.release(held);
                held = 0;
            }
        }
    }
}
