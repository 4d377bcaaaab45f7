package dev.pgcache.config;

import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** {@code pgcache.defaults.*}: see {@link PgcacheConfig#defaults()}. */
public interface DefaultsConfig {
    /** Time to live of a write that names none: seconds, ISO-8601, 30s/5m/1h/1d, or "never". */
    @WithDefault("1h")
    String ttl();

    /** How long an expired value may still be served stale; 0 for none. */
    @WithDefault("0s")
    String stale();

    /** Durability of writes in namespaces that do not set their own: strict or relaxed ({@link Durability}). */
    @WithDefault("strict")
    Durability durability();

    /**
     * Most rows the namespace may hold; over it, purge evicts (pgcache.storage.eviction-policy).
     * Declared namespaces only: setting it under {@code pgcache.defaults} is a startup error.
     */
    @WithName("max-entries")
    Optional<Long> maxEntries();

    /**
     * Most bytes of JSON (sum of size_bytes) the namespace may hold; over it, purge evicts. Declared namespaces only, like max-entries.
     */
    @WithName("max-bytes")
    Optional<MemorySize> maxBytes();
}
