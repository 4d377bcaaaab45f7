package dev.pgcache.load;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.pgcache.config.PgcacheConfig;

/**
 * The pooled database connections that may be held across an upstream call at once in this
 * replica: {@code pgcache.load.max-concurrent} of them, for read-through loads and the JSON-RPC
 * proxy's calls under load locks together. Each such call holds one connection (its advisory
 * lock's transaction) for as long as the upstream takes, so this is what keeps them from taking
 * the pool that plain reads and writes need; the start-up check keeps it below the pool's size.
 */
@ApplicationScoped
public class LoadSlots {

    private final Semaphore slots;

    LoadSlots(PgcacheConfig config) {
        this.slots = new Semaphore(Math.max(1, config.load().maxConcurrent()));
    }

    /** A slot if one is free now; the caller releases it. */
    public boolean tryTake() {
        return slots.tryAcquire();
    }

    /** A slot, waiting at most this long; the caller releases it. */
    public boolean take(long timeout, TimeUnit unit) throws InterruptedException {
        return slots.tryAcquire(timeout, unit);
    }

    public void release() {
        slots.release();
    }
}
