package dev.pgcache.purge;

import jakarta.inject.Singleton;

import dev.pgcache.config.PgcacheConfig;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;

/** Skips the scheduled purge on a replica where {@code pgcache.purge.enabled=false}. */
@Singleton
class PurgeDisabled implements Scheduled.SkipPredicate {

    private final boolean enabled;

    PurgeDisabled(PgcacheConfig config) {
        this.enabled = config.purge().enabled();
    }

    @Override
    public boolean test(ScheduledExecution execution) {
        return !enabled;
    }
}
