package dev.pgcache.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * All of pgcache's own settings, under the prefix {@code pgcache.}. Every property has a
 * default here, and docs/configuration.md lists them all.
 */
@ConfigMapping(prefix = "pgcache")
public interface PgcacheConfig {

    /** Policy of undeclared namespaces, and of declared ones where they leave a setting out. */
    Defaults defaults();

    /** Declared namespaces and their policies, by name. */
    Map<String, NamespaceConfig> namespaces();

    /**
     * Whether a write may create a namespace that is not declared in config (it then gets
     * {@link #defaults()}). Turn off to accept declared namespaces only.
     */
    @WithName("allow-undeclared-namespaces")
    @WithDefault("true")
    boolean allowUndeclaredNamespaces();

    Limits limits();

    /** API keys, scopes and the rate limit: see docs/security.md. */
    dev.pgcache.security.AuthConfig auth();

    Purge purge();

    interface Defaults {
        /** Time to live of a write that names none: seconds, ISO-8601, 30s/5m/1h/1d, or "never". */
        @WithDefault("1h")
        String ttl();

        /** How long an expired value may still be served stale; 0 for none. */
        @WithDefault("0s")
        String stale();
    }

    /** One declared namespace; what it leaves out comes from {@link #defaults()}. */
    interface NamespaceConfig {
        Optional<String> ttl();

        Optional<String> stale();
    }

    Metrics metrics();

    interface Metrics {
        /**
         * Most namespaces counted separately in metrics; further ones are counted together under
         * namespace="_other", so callers inventing namespaces cannot grow the metric series without bound.
         */
        @WithName("max-namespaces")
        @WithDefault("500")
        int maxNamespaces();
    }

    interface Limits {
        /** Largest JSON value a single PUT may carry. */
        @WithName("max-value-size")
        @WithDefault("1M")
        MemorySize maxValueSize();

        /** Longest key, in UTF-8 bytes. */
        @WithName("max-key-bytes")
        @WithDefault("512")
        int maxKeyBytes();

        /** Deepest nesting of arrays and objects in a stored value. */
        @WithName("max-json-depth")
        @WithDefault("64")
        int maxJsonDepth();

        /** Most tags on one entry. */
        @WithName("max-tags")
        @WithDefault("32")
        int maxTags();

        /** Longest tag, in UTF-8 bytes. */
        @WithName("max-tag-bytes")
        @WithDefault("128")
        int maxTagBytes();

        /** Most keys in one batch-get, or entries in one batch-put. */
        @WithName("max-batch-size")
        @WithDefault("1000")
        int maxBatchSize();

        /** Most keys one listing page may ask for. */
        @WithName("max-list-limit")
        @WithDefault("1000")
        int maxListLimit();

        /** Longest TTL or stale window a caller may ask for. */
        @WithName("max-ttl")
        @WithDefault("P3650D")
        Duration maxTtl();
    }

    interface Purge {
        /** Whether this replica runs the scheduled purge at all. */
        @WithDefault("true")
        boolean enabled();

        /** Time between scheduled runs (read by the scheduler from pgcache.purge.interval). */
        @WithDefault("60s")
        Duration interval();

        /** Rows deleted per batch (per transaction). */
        @WithName("batch-size")
        @WithDefault("1000")
        int batchSize();

        /** A run stops starting new batches after this long; the rest waits for the next run. */
        @WithName("time-budget")
        @WithDefault("10s")
        Duration timeBudget();

        /** Upper bound on batches in one run, whatever the time budget. */
        @WithName("max-batches")
        @WithDefault("1000")
        int maxBatches();

        /** Advisory lock key that lets one replica purge at a time; change only to run two pgcache services in one database. */
        @WithName("lock-key")
        @WithDefault("7064677072756765")
        long lockKey();
    }
}
