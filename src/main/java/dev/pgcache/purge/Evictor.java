package dev.pgcache.purge;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.MaintenanceStore;
import dev.pgcache.entry.EvictionPlan;
import dev.pgcache.entry.NamespaceSize;
import dev.pgcache.metrics.CacheMetrics;

/**
 * Brings each bounded namespace back under its max-entries and max-bytes, as the second part of
 * a purge run (after the rows past their stale window are gone, so those are never counted).
 *
 * <p>Order: oldest {@code fetched_at} first, ties by key, read from cache_entry_eviction_idx,
 * so a batch costs the rows it removes, whatever the namespace's size. Least-recently-hit first
 * would keep hot entries better, but needs an index on last_hit_at, which would make every hit
 * flush a non-HOT update writing to every index of the table (or a sort of the whole namespace
 * per batch); see docs/operations.md, "Bounds and eviction".
 *
 * <p>How: once per namespace per run, under the purge lock, measure it and find the cutoff row,
 * the newest row that must go; then evict batch by batch (each its own transaction under the
 * same lock) every row up to and including the cutoff. Stopping at a row rather than after a
 * count is what makes two replicas safe: batches pause, the lock is free in between, and a
 * second replica that starts a run meanwhile measures after the first one's batches and finds
 * the same cutoff row, so together they evict what is needed, not twice that. Writes that land
 * during the run are measured by the next run.
 */
@Startup // built at boot, so a bad setting stops the start instead of the first request
@ApplicationScoped
class Evictor {

    /**
     * @param lockLost    another replica took the purge lock; the run must stop
     * @param complete    every bounded namespace was measured and brought under its bounds
     * @param byNamespace rows evicted per namespace
     */
    record Outcome(boolean lockLost, int batches, boolean complete, Map<String, Long> byNamespace) {
        long evicted() {
            return byNamespace.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final MaintenanceStore store;
    private final NamespaceBounds bounds;
    private final CacheMetrics metrics;
    private final long lockKey;
    private final int batchSize;

    Evictor(MaintenanceStore store, NamespaceBounds bounds, CacheMetrics metrics, PgcacheConfig config) {
        this.store = store;
        this.bounds = bounds;
        this.metrics = metrics;
        this.lockKey = config.purge().lockKey();
        this.batchSize = config.purge().evictionBatchSize();
        if (batchSize < 1) {
            throw new IllegalStateException("pgcache.purge.eviction-batch-size must be at least 1, was " + batchSize);
        }
    }

    /**
     * Evicts until every bounded namespace is under its bounds, the deadline (System.nanoTime)
     * passes or batchesLeft are used, pausing between batches.
     */
    Outcome evict(long deadlineNanos, int batchesLeft, Runnable pauseBetweenBatches) {
        Map<String, Long> byNamespace = new HashMap<>();
        int batches = 0;
        boolean complete = true;
        for (NamespaceBounds.Bound bound : bounds.all()) {
            boolean underBounds = false;
            while (!underBounds) {
                if (batches >= batchesLeft || System.nanoTime() - deadlineNanos >= 0) {
                    return new Outcome(false, batches, false, byNamespace);
                }
                // no more rows than this run can still evict, so the plan's scan stays bounded
                int reach = (int) Math.min(Integer.MAX_VALUE, (long) (batchesLeft - batches) * batchSize);
                Optional<EvictionPlan> plan = store.planEviction(lockKey, bound.namespace(), bound.maxEntries(), bound.maxBytes(), reach);
                if (plan.isEmpty()) {
                    return new Outcome(true, batches, false, byNamespace);
                }
                if (!plan.get().evicts()) {
                    break;
                }
                boolean rowsHeld = false;
                while (true) {
                    if (batches >= batchesLeft || System.nanoTime() - deadlineNanos >= 0) {
                        return new Outcome(false, batches, false, byNamespace);
                    }
                    Optional<NamespaceSize> batch = store.evictBatch(lockKey, plan.get(), bound.namespace(), batchSize);
                    if (batch.isEmpty()) {
                        return new Outcome(true, batches, false, byNamespace);
                    }
                    batches++;
                    long n = batch.get().rows();
                    if (n > 0) {
                        byNamespace.merge(bound.namespace(), n, Long::sum);
                        metrics.count(bound.namespace(), CacheMetrics.Event.EVICTED, n);
                    }
                    if (n < batchSize) {
                        // nothing left up to the cutoff, unless a writer held some rows (they move on with a new fetched_at)
                        rowsHeld = n == 0;
                        break;
                    }
                    pauseBetweenBatches.run();
                }
                if (rowsHeld) {
                    complete = false; // measured again next run
                    break;
                }
                // a plan that read too few rows to reach the bounds is made again, from where this one stopped
                underBounds = plan.get().reachesBounds();
                if (!underBounds) {
                    pauseBetweenBatches.run();
                }
            }
        }
        return new Outcome(false, batches, complete, byNamespace);
    }
}
