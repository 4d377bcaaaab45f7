package dev.pgcache.config;

import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithName;

/** One declared namespace; what it leaves out comes from {@link PgcacheConfig#defaults()}. */
public interface NamespaceConfig {
    Optional<String> ttl();

    Optional<String> stale();

    /**
     * Most rows the namespace may hold; over it, purge evicts (pgcache.storage.eviction-policy).
     * Declared namespaces only (there is no pgcache.defaults.max-entries).
     */
    @WithName("max-entries")
    Optional<Long> maxEntries();

    /** Most bytes of JSON (sum of size_bytes) the namespace may hold; over it, purge evicts. */
    @WithName("max-bytes")
    Optional<MemorySize> maxBytes();

    /** Whether this namespace's GETs may be answered from the near cache (when pgcache.near-cache.enabled); default true. */
    @WithName("near-cache")
    Optional<Boolean> nearCache();

    /** What a 2xx to a write in this namespace promises if the database crashes; default pgcache.defaults.durability. */
    Optional<Durability> durability();

    /** Where a GET that misses loads the value from; absent for a plain cache namespace. */
    Optional<UpstreamConfig> upstream();
}
