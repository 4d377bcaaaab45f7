package dev.pgcache.metrics;

import jakarta.inject.Singleton;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.config.SwitchedOff;

/** Skips the table-stats refresh where {@code pgcache.table-stats.enabled=false}, e.g. on all replicas but one. */
@Singleton
class TableStatsDisabled extends SwitchedOff {

    TableStatsDisabled(PgcacheConfig config) {
        super(config.tableStats().enabled());
    }
}
