package dev.pgcache.config;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Concurrent requests of one kind share statements: while {@code max-queries} statements
 * run, further requests wait and go together into the next one, up to {@code max-per-query}
 * in one round trip. Nothing waits for a batch to fill. 0 sends every request on its own.
 * About the number of cores PostgreSQL has is a good {@code max-queries}.
 */
public interface CoalescingConfig {
    @WithName("max-queries")
    @WithDefault("2")
    int maxQueries();

    @WithName("max-per-query")
    @WithDefault("64")
    int maxPerQuery();
}
