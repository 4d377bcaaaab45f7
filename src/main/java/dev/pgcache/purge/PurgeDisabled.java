package dev.pgcache.purge;

import jakarta.inject.Singleton;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.config.SwitchedOff;

/** Skips the scheduled purge on a replica where {@code pgcache.purge.enabled=false}. */
@Singleton
class PurgeDisabled extends SwitchedOff {

    PurgeDisabled(PgcacheConfig config) {
        super(config.purge().enabled());
    }
}
