package dev.pgcache.load;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How a request that found a load lock held by another replica waits for that replica's value:
 * it holds no database connection, pauses (20 ms, doubling to 250 ms), looks again, and gives up
 * at the upstream's wait-timeout, never starting a second upstream call while the first may still
 * succeed. Read-through ({@link Loader}) and the JSON-RPC proxy wait alike.
 */
public final class LockWait {

    static final long FIRST_PAUSE_MILLIS = 20;
    static final long MAX_PAUSE_MILLIS = 250;

    private final long deadline;
    private long pause = FIRST_PAUSE_MILLIS;

    /** @param waitTimeout how long the asker waits in all, from now */
    public LockWait(Duration waitTimeout) {
        this.deadline = System.nanoTime() + waitTimeout.toNanos();
    }

    /**
     * Pauses before the next look; answers false at once, without pausing, when the wait-timeout
     * has passed already. A pause never runs past the deadline.
     */
    public boolean pause() throws InterruptedException {
        long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (leftMillis <= 0) {
            return false;
        }
        Thread.sleep(Math.min(pause, leftMillis));
        pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
        return true;
    }

    /** Whether the wait-timeout has passed: the asker has had its timeout, so no lock is tried and no upstream called after it. */
    public boolean expired() {
        return System.nanoTime() - deadline >= 0;
    }
}
