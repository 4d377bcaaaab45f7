package dev.pgcache.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** {@code pgcache.hits.*}: hit counting and its batched flush (dev.pgcache.hits). */
public interface HitsConfig {
    /** Whether reads count hits into hit_count and last_hit_at at all. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Time between flushes of the counted hits to the table (read by the scheduler from
     * pgcache.hits.flush-interval). A crash loses at most this much of the counts.
     */
    @WithName("flush-interval")
    @WithDefault("5s")
    Duration flushInterval();

    /**
     * Counts one read in this many, chosen at random, as this many reads: hit_count becomes an
     * unbiased estimate, and a busy service writes that many times fewer rows per flush (the
     * flush is otherwise one row update per distinct entry read, which under uniform random
     * reads over a large table costs PostgreSQL about as much as the reads themselves;
     * docs/benchmarks.md). 1 counts every read exactly.
     */
    @WithName("sample-one-in")
    @WithDefault("10")
    int sampleOneIn();

    /** Most distinct entries counted between two flushes; hits on further entries are dropped and counted. */
    @WithName("max-tracked-keys")
    @WithDefault("100000")
    int maxTrackedKeys();

    /**
     * Most entries updated by one flush statement; a flush with more runs several statements,
     * each short enough to stay far from the statement timeout on a busy server.
     */
    @WithName("flush-batch-size")
    @WithDefault("1000")
    int flushBatchSize();
}
