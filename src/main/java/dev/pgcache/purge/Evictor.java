package dev.pgcache.purge;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.EntryStore;
import dev.pgcache.entry.NamespaceSize;
import dev.pgcache.metrics.CacheMetrics;

/**
 * Brings each bounded namespace back under its max-entries and max-bytes, as the second part of
 * a purge run (after the rows past their stale window are gone, so those are never counted).
 *
 * <p>Order: oldest {@code fetched_at} first, read from cache_entry_eviction_idx, so a batch
 * costs the rows it removes, whatever the namespace's size. Least-recently-hit first would
 * keep hot entries better, but needs an index on last_hit_at, which would make every hit flush
 * a non-HOT update writing to every index of the table (or a sort of the whole namespace per
 * batch); see docs/operations-scale.md.
 *
 * <p>How much to evict is measured once per namespace per run, under the purge lock, then
 * taken away batch by batch (each batch its own transaction under the same lock). Writes that
 * land during the run are measured by the next run.
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

    private final EntryStore store;
    private final NamespaceBounds bounds;
    private final CacheMetrics metrics;
    private final long lockKey;
    private final int batchSize;

    Evictor(EntryStore store, NamespaceBounds bounds, CacheMetrics metrics, PgcacheConfig config) {
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
        for (NamespaceBounds.Bound bound : bounds.all()) {
            if (batches >= batchesLeft || System.nanoTime() - deadlineNanos >= 0) {
                return new Outcome(false, batches, false, byNamespace);
            }
            Optional<NamespaceSize> size = store.namespaceSize(lockKey, bound.namespace());
            if (size.isEmpty()) {
                return new Outcome(true, batches, false, byNamespace);
            }
            long rows = Math.max(0, size.get().rows() - bound.maxEntries());
            long bytes = Math.max(0, size.get().bytes() - bound.maxBytes());
            boolean first = true;
            while (rows > 0 || bytes > 0) {
                if (!first) {
                    pauseBetweenBatches.run();
                }
                first = false;
                if (batches >= batchesLeft || System.nanoTime() - deadlineNanos >= 0) {
                    return new Outcome(false, batches, false, byNamespace);
                }
                Optional<NamespaceSize> batch = store.evictBatch(lockKey, bound.namespace(), rows, bytes, batchSize);
                if (batch.isEmpty()) {
                    return new Outcome(true, batches, false, byNamespace);
                }
                batches++;
                long n = batch.get().rows();
                if (n == 0) {
                    // every candidate row is held by a writer right now; the next run measures again
                    return new Outcome(false, batches, false, byNamespace);
                }
                rows -= n;
                bytes -= batch.get().bytes();
                byNamespace.merge(bound.namespace(), n, Long::sum);
                metrics.count(bound.namespace(), CacheMetrics.Event.EVICTED, n);
            }
        }
        return new Outcome(false, batches, true, byNamespace);
    }
}
