package dev.pgcache.config;

import java.util.Map;

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
    DefaultsConfig defaults();

    /** Declared namespaces and their policies, by name. */
    Map<String, NamespaceConfig> namespaces();

    /**
     * Whether a write may create a namespace that is not declared in config (it then gets
     * {@link #defaults()}). Turn off to accept declared namespaces only.
     */
    @WithName("allow-undeclared-namespaces")
    @WithDefault("true")
    boolean allowUndeclaredNamespaces();

    LimitsConfig limits();

    /** API keys, scopes and the rate limit: see docs/security.md. */
    AuthConfig auth();

    PurgeConfig purge();

    /** Eviction order, the cap on the whole table, an unlogged table ({@code pgcache.storage.*}). */
    StorageConfig storage();

    /** Read-through loading, for every namespace that names an upstream. */
    LoadConfig load();

    HitsConfig hits();

    /** Hot entries answered from memory, kept coherent by the database (dev.pgcache.near). */
    @WithName("near-cache")
    NearCacheConfig nearCache();

    /** The JSON-RPC caching proxy, {@code POST /v1/rpc/<upstream>}: see docs/rpc.md. */
    RpcConfig rpc();

    @WithName("table-stats")
    TableStatsConfig tableStats();

    MetricsConfig metrics();

    /** How statements reach the table: schema and timeouts ({@code pgcache.database.*}). */
    DatabaseConfig database();

    /** How single-key GETs reach the database (dev.pgcache.entry.ReadCoalescer). */
    CoalescingConfig reads();

    /** How PUTs without a precondition reach the database (dev.pgcache.entry.WriteCoalescer). */
    CoalescingConfig writes();
}
