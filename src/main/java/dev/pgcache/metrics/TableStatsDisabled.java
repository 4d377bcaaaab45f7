package dev.pgcache.metrics;

import jakarta.inject.Singleton;

import dev.pgcache.config.PgcacheConfig;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;

/** Skips the table-stats refresh where {@code pgcache.table-stats.enabled=false}, e.g. on all replicas but one. */
@Singleton
class TableStatsDisabled implements Scheduled.SkipPredicate {

    private final boolean enabled;

    TableStatsDisabled(PgcacheConfig config) {
        this.enabled = config.tableStats().enabled();
    }

    @Override
    public boolean test(ScheduledExecution execution) {
        return !enabled;
    }
}
