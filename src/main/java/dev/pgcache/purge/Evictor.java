package dev.pgcache.purge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import dev.pgcache.config.EvictionPolicy;
import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.EvictionBatch;
import dev.pgcache.entry.EvictionPlan;
import dev.pgcache.entry.EvictionScope;
import dev.pgcache.entry.MaintenanceStore;
import dev.pgcache.metrics.CacheMetrics;

/**
 * Brings each bounded namespace back under its max-entries and max-bytes, then the whole table
 * under pgcache.storage.max-entries and max-bytes, as the second part of a purge run (after the
 * rows past their stale window are gone, so those are never counted). Namespaces first, so that a
 * namespace over its own bound pays for it before the cap takes from everyone; after both, both
 * bounds hold.
 *
 * <p>Order: a queue per scope, read from an index (cache_entry_queue_idx per namespace,
 * cache_entry_table_queue_idx for the table), so a batch costs the rows it takes (with
 * size-aware eviction, the rows of its window), whatever the table's size. A row's place is
 * when it was written, or last requeued. With {@code pgcache.storage.eviction-policy=size-aware}
 * (the default), of the queue's first rows (eviction-window times the rows to free) those with
 * the fewest reads since they were queued per byte go first, and read rows at the front are
 * requeued with their reads used up. With second-chance (CLOCK), a row read since it was queued
 * (its last_hit_at, counted in memory and flushed in batches by dev.pgcache.hits) is not
 * evicted but sent to the back of the queue, once per read-and-pass. In both, rows readers use
 * stay, and no read ever writes. With oldest-first, the oldest written go first, read or not.
 * Why these rather than ordering by last_hit_at: docs/architecture.md, "Eviction".
 *
 * <p>How: once per scope per run, under the purge lock, measure it and find the cutoff row, the
 * last row in the policy's order that must be taken; then take batch by batch (each its own transaction
 * under the same lock) every row up to and including the cutoff, deleting those not kept.
 * Stopping at a row rather than after a count is what makes two replicas safe: batches pause,
 * the lock is free in between, and a second replica that starts a run meanwhile measures after
 * the first one's batches and finds the same cutoff row, so together they evict what is needed,
 * not twice that. Writes that land during the run are measured by the next run.
 */
@Startup // built at boot, so a bad setting stops the start instead of the first request
@ApplicationScoped
class Evictor {

    /** Why rows were evicted: their namespace's own bound, or the cap on the whole table. */
    enum Cause {
        NAMESPACE_BOUND(CacheMetrics.Event.EVICTED), TABLE_CAP(CacheMetrics.Event.EVICTED_FOR_CAP);

        final CacheMetrics.Event event;

        Cause(CacheMetrics.Event event) {
            this.event = event;
        }
    }

    /**
     * @param lockLost    another replica took the purge lock; the run must stop
     * @param complete    every scope was measured and brought under its bounds
     * @param byNamespace rows evicted per namespace, for their namespace's bound
     * @param capByNamespace rows evicted per namespace, for the table's cap
     * @param kept        rows read since they were queued, requeued instead (a second chance)
     */
    record Outcome(boolean lockLost, int batches, boolean complete, Map<String, Long> byNamespace, Map<String, Long> capByNamespace,
            long kept) {
        long evicted() {
            return byNamespace.values().stream().mapToLong(Long::longValue).sum();
        }

        long evictedForCap() {
            return capByNamespace.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private record Scope(EvictionScope bounds, Cause cause) {
    }

    /** What a run has done so far. */
    private static final class Tally {
        final Map<Cause, Map<String, Long>> byCause = Map.of(Cause.NAMESPACE_BOUND, new HashMap<>(), Cause.TABLE_CAP, new HashMap<>());
        int batches;
        long kept;

        Outcome outcome(boolean lockLost, boolean complete) {
            return new Outcome(lockLost, batches, complete, Map.copyOf(byCause.get(Cause.NAMESPACE_BOUND)),
                    Map.copyOf(byCause.get(Cause.TABLE_CAP)), kept);
        }
    }

    private final MaintenanceStore store;
    private final List<Scope> scopes;
    private final CacheMetrics metrics;
    private final long lockKey;
    private final int batchSize;
    private final EvictionPolicy policy;
    private final int window;

    Evictor(MaintenanceStore store, NamespaceBounds bounds, CacheMetrics metrics, PgcacheConfig config) {
        this.store = store;
        this.metrics = metrics;
        this.lockKey = config.purge().lockKey();
        this.batchSize = config.purge().evictionBatchSize();
        this.policy = config.storage().evictionPolicy();
        this.window = config.storage().evictionWindow();
        List<Scope> all = new ArrayList<>();
        for (NamespaceBounds.Bound b : bounds.all()) {
            all.add(new Scope(EvictionScope.namespace(b.namespace(), b.maxEntries(), b.maxBytes()), Cause.NAMESPACE_BOUND));
        }
        bounds.table().ifPresent(t -> all.add(new Scope(EvictionScope.table(t.maxEntries(), t.maxBytes()), Cause.TABLE_CAP)));
        this.scopes = List.copyOf(all);
    }

    /**
     * Evicts until every scope is under its bounds, the deadline (System.nanoTime) passes or
     * batchesLeft are used, pausing between batches.
     */
    Outcome evict(long deadlineNanos, int batchesLeft, Runnable pauseBetweenBatches) {
        Tally tally = new Tally();
        boolean complete = true;
        for (Scope scope : scopes) {
            boolean underBounds = false;
            while (!underBounds) {
                if (tally.batches >= batchesLeft || System.nanoTime() - deadlineNanos >= 0) {
                    return tally.outcome(false, false);
                }
                // no more rows than this run can still take, so the plan's scan stays bounded
                int reach = (int) Math.min(Integer.MAX_VALUE, (long) (batchesLeft - tally.batches) * batchSize);
                Optional<EvictionPlan> plan = store.planEviction(lockKey, scope.bounds(), policy, window, reach);
                if (plan.isEmpty()) {
                    return tally.outcome(true, false);
                }
                if (!plan.get().evicts()) {
                    break;
                }
                boolean rowsHeld = false;
                EvictionPlan next = plan.get();
                while (true) {
                    if (tally.batches >= batchesLeft || System.nanoTime() - deadlineNanos >= 0) {
                        return tally.outcome(false, false);
                    }
                    Optional<EvictionBatch> batch = store.evictBatch(lockKey, next, batchSize);
                    if (batch.isEmpty()) {
                        return tally.outcome(true, false);
                    }
                    tally.batches++;
                    next = batch.get().rest();
                    tally.kept += batch.get().kept();
                    batch.get().byNamespace().forEach((ns, n) -> {
                        tally.byCause.get(scope.cause()).merge(ns, n, Long::sum);
                        metrics.count(ns, scope.cause().event, n);
                    });
                    if (batch.get().taken() < batchSize) {
                        // nothing left up to the cutoff, unless a writer held some rows (they move on with a new fetched_at)
                        rowsHeld = batch.get().taken() == 0;
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
        return tally.outcome(false, complete);
    }
}
