package dev.pgcache.config;

import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** {@code pgcache.storage.*}: how the table is kept: its eviction order, its cap, and whether it is logged. */
public interface StorageConfig {
    /**
     * The order in which purge evicts when a namespace's bound or the table's cap is exceeded.
     * One policy for the whole table, because the cap evicts from one queue across namespaces.
     */
    @WithName("eviction-policy")
    @WithDefault("size-aware")
    EvictionPolicy evictionPolicy();

    /**
     * Size-aware eviction only: how many of the queue's first rows one plan weighs, as a multiple
     * of the rows it must free (about twice the bytes over the bound by the scope's average row,
     * or the rows over max-entries). Larger weighs more rows against each other, closer to an
     * exact greedy-dual-size-frequency, at the cost of reading them once per plan and per batch.
     */
    @WithName("eviction-window")
    @WithDefault("64")
    int evictionWindow();

    /** Most rows in the whole table, all namespaces (declared or not) together; over it, purge evicts. */
    @WithName("max-entries")
    Optional<Long> maxEntries();

    /** Most bytes of JSON (sum of size_bytes) in the whole table; over it, purge evicts. */
    @WithName("max-bytes")
    Optional<MemorySize> maxBytes();

    /**
     * true: the service makes cache_entry UNLOGGED at start (emptied after a database crash, not
     * replicated); false: LOGGED; absent: leaves the table as it is. A change rewrites the table
     * under an ACCESS EXCLUSIVE lock: docs/operations.md, "Unlogged table".
     */
    Optional<Boolean> unlogged();
}
