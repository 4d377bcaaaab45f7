package dev.pgcache.purge;

import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.config.PurgeConfig;
import dev.pgcache.entry.MaintenanceStore;
import dev.pgcache.entry.PurgeBatch;
import dev.pgcache.entry.StoreUnavailableException;
import dev.pgcache.metrics.CacheMetrics;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;

/**
 * Removes rows past their stale window, then evicts from namespaces over their bounds
 * ({@link Evictor}). Runs on every replica on a timer; the advisory lock taken by each batch
 * lets one replica purge at a time across the cluster (the scheduler's SKIP only covers one
 * JVM). A run deletes in batches of {@code pgcache.purge.batch-size}, each its own short
 * transaction so row locks are held briefly and readers (who take no locks) are never blocked,
 * and stops at its time budget or batch limit; what is left waits for the next run. Expired
 * rows never need purge to stay invisible: readers filter them out.
 */
@ApplicationScoped
public class PurgeJob {

    private static final Logger LOG = Logger.getLogger(PurgeJob.class);

    private final MaintenanceStore store;
    private final Evictor evictor;
    private final PurgeStatus status;
    private final CacheMetrics metrics;
    private final PurgeConfig config;

    PurgeJob(MaintenanceStore store, Evictor evictor, PurgeStatus status, CacheMetrics metrics, PgcacheConfig config) {
        this.store = store;
        this.evictor = evictor;
        this.status = status;
        this.metrics = metrics;
        this.config = config.purge();
    }

    @Scheduled(identity = "pgcache-purge", every = "${pgcache.purge.interval}", delayed = "${pgcache.purge.interval}",
            concurrentExecution = ConcurrentExecution.SKIP, skipExecutionIf = PurgeDisabled.class)
    void scheduled() {
        try {
            runOnce();
        } catch (StoreUnavailableException e) {
            LOG.warnf("purge run skipped: %s", e.getMessage());
        }
    }

    /** One purge run now, in this thread. Safe to call while another replica purges: it then does nothing. */
    public PurgeReport runOnce() {
        try {
            PurgeReport report = run();
            status.completed(report);
            return report;
        } catch (RuntimeException e) {
            status.failed(e);
            throw e;
        }
    }

    /**
     * Sleeps pgcache.purge.batch-pause. Each batch is short, but back to back they keep one
     * database backend busy for the whole run; on a small server that is CPU the readers wait
     * for (docs/benchmarks.md measures it).
     */
    private void pauseBetweenBatches() {
        long millis = config.batchPause().toMillis();
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("purge run interrupted", e);
            }
        }
    }

    private PurgeReport run() {
        long start = System.nanoTime();
        long deadline = start + config.timeBudget().toNanos();
        Map<String, Long> byNamespace = new HashMap<>();
        long purged = 0;
        int batches = 0;
        boolean lockHeld = true;
        boolean lockLost = false;
        boolean purgeComplete = false;
        while (batches < config.maxBatches() && System.nanoTime() - deadline < 0) {
            PurgeBatch batch = store.purgeBatch(config.lockKey(), config.batchSize());
            if (!batch.lockHeld()) {
                // another replica is purging; on our first batch this run does nothing, later it leaves the rest to them
                lockHeld = batches > 0;
                lockLost = true;
                break;
            }
            batches++;
            batch.byNamespace().forEach((ns, n) -> {
                byNamespace.merge(ns, n, Long::sum);
                metrics.count(ns, CacheMetrics.Event.PURGED, n);
            });
            purged += batch.deleted();
            if (batch.deleted() < config.batchSize()) {
                purgeComplete = true;
                break;
            }
            pauseBetweenBatches();
        }
        Evictor.Outcome eviction = new Evictor.Outcome(false, 0, false, Map.of(), Map.of(), 0);
        if (!lockLost) {
            eviction = evictor.evict(deadline, config.maxBatches() - batches, this::pauseBetweenBatches);
        }
        batches += eviction.batches();
        boolean complete = purgeComplete && eviction.complete();
        long nanos = System.nanoTime() - start;
        PurgeReport report = new PurgeReport(lockHeld, purged, batches, complete, nanos / 1_000_000, Map.copyOf(byNamespace),
                eviction.evicted(), eviction.byNamespace(), eviction.evictedForCap(), eviction.capByNamespace(), eviction.kept());
        if (lockHeld) {
            metrics.recordPurgeRun(nanos, purged, report.evicted() + report.evictedForCap());
            LOG.infof("purge run: %d rows purged, %d evicted for namespace bounds, %d for the table's cap, %d read ones requeued, "
                    + "in %d batches, %d ms, %s", purged, report.evicted(), report.evictedForCap(), report.secondChances(), batches,
                    report.durationMs(),
                    complete ? "nothing left to do" : "stopped at the time budget, the batch limit or a lock hand-over; the rest goes next run");
        } else {
            LOG.infof("purge run: skipped, another replica holds the purge lock");
        }
        return report;
    }
}
