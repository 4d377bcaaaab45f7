package dev.pgcache.config;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** {@code pgcache.load.*}: see {@link PgcacheConfig#load()}. */
public interface LoadConfig {
    /**
     * Most loads running at once in this replica. Each holds one pooled database connection for
     * the length of its upstream call (the advisory lock lives on it), so this must stay below
     * quarkus.datasource.jdbc.max-size; further loads queue in memory.
     */
    @WithName("max-concurrent")
    @WithDefault("8")
    int maxConcurrent();

    /** Most loads waiting for a slot; past it a GET that needs a load gets a 503. */
    @WithName("max-queued")
    @WithDefault("1000")
    int maxQueued();
}
