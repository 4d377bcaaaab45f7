package dev.pgcache.hits;

import jakarta.inject.Singleton;

import dev.pgcache.config.PgcacheConfig;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;

/** Skips the scheduled hit flush where {@code pgcache.hits.enabled=false}: nothing is ever counted there. */
@Singleton
class HitsDisabled implements Scheduled.SkipPredicate {

    private final boolean enabled;

    HitsDisabled(PgcacheConfig config) {
        this.enabled = config.hits().enabled();
    }

    @Override
    public boolean test(ScheduledExecution execution) {
        return !enabled;
    }
}
