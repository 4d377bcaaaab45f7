package dev.pgcache.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** {@code pgcache.purge.*}: the scheduled purge of gone rows and eviction (dev.pgcache.purge). */
public interface PurgeConfig {
    /** Whether this replica runs the scheduled purge at all. */
    @WithDefault("true")
    boolean enabled();

    /** Time between scheduled runs (read by the scheduler from pgcache.purge.interval). */
    @WithDefault("60s")
    Duration interval();

    /** Rows deleted per batch (per transaction). */
    @WithName("batch-size")
    @WithDefault("1000")
    int batchSize();

    /** A run stops starting new batches after this long; the rest waits for the next run. */
    @WithName("time-budget")
    @WithDefault("10s")
    Duration timeBudget();

    /**
     * Pause after each batch (purge or eviction) before the next one, so a long run leaves
     * the database's CPU and I/O to readers between batches; counts against the time budget.
     * 0 runs batches back to back.
     */
    @WithName("batch-pause")
    @WithDefault("20ms")
    Duration batchPause();

    /** Upper bound on batches in one run, whatever the time budget. */
    @WithName("max-batches")
    @WithDefault("1000")
    int maxBatches();

    /**
     * Rows removed per eviction batch (per transaction) when a namespace is over its bounds;
     * eviction shares the run's time budget and batch limit with the purge of gone rows.
     */
    @WithName("eviction-batch-size")
    @WithDefault("1000")
    int evictionBatchSize();

    /** Advisory lock key that lets one replica purge at a time; change only to run two pgcache services in one database. */
    @WithName("lock-key")
    @WithDefault("7064677072756765")
    long lockKey();
}
