package dev.pgcache.hits;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.MaintenanceStore;
import dev.pgcache.entry.Hit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;

/**
 * Writes the hits {@link HitTracker} counted to hit_count and last_hit_at: every
 * {@code pgcache.hits.flush-interval}, and once more when the service shuts down. One flush is
 * one UPDATE for up to {@code pgcache.hits.flush-batch-size} entries (more entries, more
 * statements), in (namespace, key) order, so two replicas flushing the same entries lock
 * their rows in the same order and cannot deadlock. Hits a flush could not write (database
 * away) go back to the tracker for the next one.
 */
@Startup // built at boot, so a bad setting stops the start instead of the first request
@ApplicationScoped
public class HitFlusher {

    private static final Logger LOG = Logger.getLogger(HitFlusher.class);

    private static final Comparator<Hit> ROW_ORDER = Comparator.comparing((Hit h) -> h.id().namespace())
            .thenComparing(h -> h.id().key());

    private final HitTracker tracker;
    private final MaintenanceStore store;
    private final int batchSize;
    private final ReentrantLock flushing = new ReentrantLock();
    private final Counter flushed;
    private final Timer flushDuration;

    HitFlusher(HitTracker tracker, MaintenanceStore store, PgcacheConfig config, MeterRegistry registry) {
        this.tracker = tracker;
        this.store = store;
        this.batchSize = config.hits().flushBatchSize();
        this.flushed = Counter.builder("pgcache.hits.flushed")
                .description("Entries whose hit_count and last_hit_at a flush updated")
                .register(registry);
        this.flushDuration = Timer.builder("pgcache.hits.flush.duration")
                .description("Duration of hit flushes that had hits to write")
                .register(registry);
    }

    @Scheduled(identity = "pgcache-hit-flush", every = "${pgcache.hits.flush-interval}", delayed = "${pgcache.hits.flush-interval}",
            concurrentExecution = ConcurrentExecution.SKIP, skipExecutionIf = HitsDisabled.class)
    void scheduled() {
        flush();
    }

    void onShutdown(@Observes ShutdownEvent event) {
        int n = flush();
        if (n > 0) {
            LOG.infof("hit flush at shutdown: %d entries updated", n);
        }
    }

    /**
     * Writes every hit counted so far, now, in this thread; returns how many entries were
     * updated. Never throws: a failure is logged and the hits wait for the next flush.
     */
    public int flush() {
        flushing.lock();
        try {
            List<Hit> hits = tracker.drain();
            if (hits.isEmpty()) {
                return 0;
            }
            hits.sort(ROW_ORDER);
            long start = System.nanoTime();
            int updated = 0;
            for (int from = 0; from < hits.size(); from += batchSize) {
                List<Hit> chunk = hits.subList(from, Math.min(hits.size(), from + batchSize));
                try {
                    updated += store.recordHits(chunk);
                } catch (RuntimeException e) {
                    tracker.restore(hits.subList(from, hits.size()));
                    LOG.warnf("hit flush failed, %d entries' hits kept for the next flush: %s", hits.size() - from, e.getMessage());
                    break;
                }
            }
            flushDuration.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            flushed.increment(updated);
            return updated;
        } finally {
            flushing.unlock();
        }
    }
}
