package dev.pgcache.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** {@code pgcache.table-stats.*}: the pgcache_table_* gauges (dev.pgcache.metrics.TableStats). */
public interface TableStatsConfig {
    /** Whether to read cache_summary periodically for the pgcache_table_* gauges. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Time between reads of cache_summary (read by the scheduler from
     * pgcache.table-stats.refresh-interval). Each read scans the table once, so keep it in minutes on big tables.
     */
    @WithName("refresh-interval")
    @WithDefault("60s")
    Duration refreshInterval();
}
