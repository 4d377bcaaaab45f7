package dev.pgcache.hits;

import jakarta.inject.Singleton;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.config.SwitchedOff;

/** Skips the scheduled hit flush where {@code pgcache.hits.enabled=false}: nothing is ever counted there. */
@Singleton
class HitsDisabled extends SwitchedOff {

    HitsDisabled(PgcacheConfig config) {
        super(config.hits().enabled());
    }
}
