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
    AuthConfig auth();

    Purge purge();

    /** Read-through loading, for every namespace that names an upstream. */
    Load load();

    Hits hits();

    /** The JSON-RPC caching proxy, {@code POST /v1/rpc/<upstream>}: see docs/rpc.md. */
    Rpc rpc();

    @WithName("table-stats")
    TableStats tableStats();

    interface Defaults {
        /** Time to live of a write that names none: seconds, ISO-8601, 30s/5m/1h/1d, or "never". */
        @WithDefault("1h")
        String ttl();

        /** How long an expired value may still be served stale; 0 for none. */
        @WithDefault("0s")
        String stale();

        /**
         * Most rows the namespace may hold; over it, purge evicts the oldest (by fetched_at).
         * Declared namespaces only: setting it under {@code pgcache.defaults} is a startup error.
         */
        @WithName("max-entries")
        Optional<Long> maxEntries();

        /**
         * Most bytes of JSON (sum of size_bytes) the namespace may hold; over it, purge evicts the
         * oldest. Declared namespaces only, like max-entries.
         */
        @WithName("max-bytes")
        Optional<MemorySize> maxBytes();
    }

    /** One declared namespace; what it leaves out comes from {@link #defaults()}. */
    interface NamespaceConfig {
        Optional<String> ttl();

        Optional<String> stale();

        /**
         * Most rows the namespace may hold; over it, purge evicts the oldest (by fetched_at).
         * Declared namespaces only (there is no pgcache.defaults.max-entries).
         */
        @WithName("max-entries")
        Optional<Long> maxEntries();

        /** Most bytes of JSON (sum of size_bytes) the namespace may hold; over it, purge evicts the oldest. */
        @WithName("max-bytes")
        Optional<MemorySize> maxBytes();

        /** Where a GET that misses loads the value from; absent for a plain cache namespace. */
        Optional<Upstream> upstream();
    }

    /**
     * An HTTP(S) upstream of one namespace. Checked at start by dev.pgcache.load.Upstreams: a bad
     * template or header stops the service with the property named.
     */
    interface Upstream {
        /** URL template with {key} in the path or query, e.g. http://node:8080/blocks/{key}; the key is percent-encoded into it. */
        String url();

        /** Longest wait for one upstream answer (connect, headers and body), per attempt. */
        @WithDefault("5s")
        Duration timeout();

        /**
         * Extra request headers by name, e.g. headers.Authorization=Bearer ${NODE_TOKEN}. Values may be
         * config expressions over environment variables; they are never logged nor sent to callers.
         */
        Map<String, String> headers();

        /** Whether the upstream's Cache-Control s-maxage / max-age (less its Age) sets the TTL instead of the namespace's ttl. */
        @WithName("honor-max-age")
        @WithDefault("false")
        boolean honorMaxAge();

        /** How long an upstream 404 is remembered as a negative entry; 0s: not remembered. */
        @WithName("negative-ttl")
        @WithDefault("0s")
        Duration negativeTtl();

        /**
         * Longest a GET waits for a load, its own or one already in progress in this or another
         * replica, before it gets a 504 (or the stale value, where there is one).
         */
        @WithName("wait-timeout")
        @WithDefault("10s")
        Duration waitTimeout();

        Retry retry();

        @WithName("circuit-breaker")
        CircuitBreaker circuitBreaker();

        /** Retries of a failed load (timeouts, connection failures, 5xx), with exponential backoff. */
        interface Retry {
            /** Retries after the first attempt; 0 for none. */
            @WithName("max-retries")
            @WithDefault("2")
            int maxRetries();

            /** Wait before the first retry; doubles on each further one up to max-delay. */
            @WithDefault("100ms")
            Duration delay();

            @WithName("max-delay")
            @WithDefault("1s")
            Duration maxDelay();
        }

        /** Stops calling an upstream that keeps failing, and tries it again after a delay. */
        interface CircuitBreaker {
            @WithDefault("true")
            boolean enabled();

            /** Size of the rolling window of calls the failure ratio is computed over. */
            @WithName("request-volume-threshold")
            @WithDefault("20")
            int requestVolumeThreshold();

            /** Share of failed calls in the window that opens the circuit. */
            @WithName("failure-ratio")
            @WithDefault("0.5")
            double failureRatio();

            /** How long the circuit stays open before one trial call is let through. */
            @WithDefault("5s")
            Duration delay();

            /** Successful trial calls that close it again. */
            @WithName("success-threshold")
            @WithDefault("1")
            int successThreshold();
        }
    }

    interface Load {
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

    Metrics metrics();

    /** How single-key GETs reach the database (dev.pgcache.entry.ReadCoalescer). */
    Coalescing reads();

    /** How PUTs without a precondition reach the database (dev.pgcache.entry.WriteCoalescer). */
    Coalescing writes();

    /**
     * Concurrent requests of one kind share statements: while {@code max-queries} statements
     * run, further requests wait and go together into the next one, up to {@code max-per-query}
     * in one round trip. Nothing waits for a batch to fill. 0 sends every request on its own.
     * About the number of cores PostgreSQL has is a good {@code max-queries}.
     */
    interface Coalescing {
        @WithName("max-queries")
        @WithDefault("2")
        int maxQueries();

        @WithName("max-per-query")
        @WithDefault("64")
        int maxPerQuery();
    }

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

        /**
         * Request bodies the service reads and handles, and answers it builds, at once, in bytes:
         * a request whose body or answer would pass it gets a 503 server-busy with Retry-After
         * instead of running the heap out (a 16 MiB batch takes about four times its size in
         * memory while it is parsed and bound, and an answer as much while it is read, built and
         * written). Bodies and answers up to 64 KiB are not counted, so small requests go on
         * while large ones queue. Raise it with the heap (bin/jvm-options). At least
         * quarkus.http.limits.max-body-size, max-answer-size and pgcache.rpc.max-answer-size.
         */
        @WithName("max-in-flight-body-size")
        @WithDefault("16M")
        MemorySize maxInFlightBodySize();

        /**
         * Largest batch-get answer, in bytes: the stored values (by size_bytes, an upper bound of
         * their text) and the fields around them. A batch-get that would answer more gets a 413
         * answer-too-large before any value is read from the database. Default (unset):
         * max-in-flight-body-size, the largest answer the memory budget can hold; at most that.
         */
        @WithName("max-answer-size")
        Optional<MemorySize> maxAnswerSize();

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

        /**
         * Pause after each batch (purge or eviction) before the next one, so a long run leaves
         * the database's CPU and I/O to readers between batches; counts against the time budget.
         * 0 runs batches back to back.
         */
        @WithName("batch-pause")
        @WithDefault("20ms")
        Duration batchPause();

        /** Upper bound on batches in one run, whatever the time budget. */
        @WithName("max-batches")
        @WithDefault("1000")
        int maxBatches();

        /**
         * Rows removed per eviction batch (per transaction) when a namespace is over its bounds;
         * eviction shares the run's time budget and batch limit with the purge of gone rows.
         */
        @WithName("eviction-batch-size")
        @WithDefault("1000")
        int evictionBatchSize();

        /** Advisory lock key that lets one replica purge at a time; change only to run two pgcache services in one database. */
        @WithName("lock-key")
        @WithDefault("7064677072756765")
        long lockKey();
    }

    interface Hits {
        /** Whether reads count hits into hit_count and last_hit_at at all. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Time between flushes of the counted hits to the table (read by the scheduler from
         * pgcache.hits.flush-interval). A crash loses at most this much of the counts.
         */
        @WithName("flush-interval")
        @WithDefault("5s")
        Duration flushInterval();

        /**
         * Counts one read in this many, chosen at random, as this many reads: hit_count becomes an
         * unbiased estimate, and a busy service writes that many times fewer rows per flush (the
         * flush is otherwise one row update per distinct entry read, which under uniform random
         * reads over a large table costs PostgreSQL about as much as the reads themselves;
         * docs/benchmarks.md). 1 counts every read exactly.
         */
        @WithName("sample-one-in")
        @WithDefault("10")
        int sampleOneIn();

        /** Most distinct entries counted between two flushes; hits on further entries are dropped and counted. */
        @WithName("max-tracked-keys")
        @WithDefault("100000")
        int maxTrackedKeys();

        /**
         * Most entries updated by one flush statement; a flush with more runs several statements,
         * each short enough to stay far from the statement timeout on a busy server.
         */
        @WithName("flush-batch-size")
        @WithDefault("1000")
        int flushBatchSize();
    }

    interface TableStats {
        /** Whether to read cache_summary periodically for the pgcache_table_* gauges. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Time between reads of cache_summary (read by the scheduler from
         * pgcache.table-stats.refresh-interval). Each read scans the table once, so keep it in minutes on big tables.
         */
        @WithName("refresh-interval")
        @WithDefault("60s")
        Duration refreshInterval();
    }

    /** The JSON-RPC caching proxy: its upstream nodes and limits (docs/rpc.md). */
    interface Rpc {
        /** The nodes pgcache proxies, by name: {@code POST /v1/rpc/<name>}; entries live in namespace {@code rpc-<name>}. */
        Map<String, RpcUpstream> upstreams();

        /** Most requests in one JSON-RPC batch; a larger batch is refused with 413 problem+json. */
        @WithName("max-batch-size")
        @WithDefault("100")
        int maxBatchSize();

        /** Largest request body of one JSON-RPC call or batch; a larger one is refused with 413 problem+json. */
        @WithName("max-body-size")
        @WithDefault("1M")
        MemorySize maxBodySize();

        /**
         * Largest answer to one JSON-RPC call or batch, in bytes, results from the cache and the
         * node together (a result asked for twice in a batch counts twice). Over it the body gets
         * a 413 answer-too-large, found out before the answer is built. Default (unset):
         * pgcache.limits.max-in-flight-body-size, the largest answer the memory budget can hold; at most that.
         */
        @WithName("max-answer-size")
        Optional<MemorySize> maxAnswerSize();

        /** Largest answer pgcache reads from a node; a larger one becomes a JSON-RPC error. Results over pgcache.limits.max-value-size are answered but not cached. */
        @WithName("max-response-size")
        @WithDefault("16M")
        MemorySize maxResponseSize();

        /**
         * How often the head and finalized block of every upstream are polled (read by the scheduler
         * from pgcache.rpc.head-poll-interval); a request that needs them refreshes them when they are
         * older than this. Re-orgs are noticed within this interval.
         */
        @WithName("head-poll-interval")
        @WithDefault("2s")
        Duration headPollInterval();
    }

    /** One JSON-RPC node behind the proxy. Checked at start by dev.pgcache.rpc.RpcUpstreams. */
    interface RpcUpstream {
        /** The node's HTTP(S) JSON-RPC endpoint, e.g. http://geth:8545. */
        String url();

        /** Which shipped method policies apply: ethereum or substrate. */
        @WithDefault("ethereum")
        String chain();

        /** Longest wait for one answer of the node (connect, headers and body), per attempt. */
        @WithDefault("5s")
        Duration timeout();

        /** Longest a request waits for its upstream call, its own or an identical one in flight, retries included. */
        @WithName("wait-timeout")
        @WithDefault("10s")
        Duration waitTimeout();

        /** Extra request headers to the node (e.g. an API key); never logged nor sent to callers. */
        Map<String, String> headers();

        /** Whether to ask the node for its finalized block (Ethereum: the "finalized" tag); else, or when it has none, head minus finality-depth. */
        @WithName("finalized-tag")
        @WithDefault("true")
        boolean finalizedTag();

        /** Blocks below the head taken as final when the node does not say. */
        @WithName("finality-depth")
        @WithDefault("64")
        int finalityDepth();

        /** Lifetime of static answers (eth_chainId, net_version, system_chain, ...): a duration or "never". */
        @WithName("static-ttl")
        @WithDefault("1d")
        String staticTtl();

        /** Lifetime of answers about a block at or below the finalized one, or about a block hash: a duration or "never". */
        @WithName("finalized-ttl")
        @WithDefault("never")
        String finalizedTtl();

        /** Lifetime of answers about a block above the finalized one (re-orgs invalidate them earlier). */
        @WithName("unfinalized-ttl")
        @WithDefault("5s")
        String unfinalizedTtl();

        /** Lifetime of head-dependent answers (latest, safe, eth_blockNumber, eth_gasPrice, ...), about a block time; 0s: not cached. */
        @WithName("head-ttl")
        @WithDefault("2s")
        String headTtl();

        /**
         * Per-method policy overrides, e.g. methods.eth_call=never, methods.eth_getBalance=block:1,
         * methods."debug_*"=never; see docs/rpc.md for the policies. They replace the shipped default of the method.
         */
        Map<String, String> methods();

        /**
         * Per-method access overrides: read, write, admin or deny, e.g. method-access."debug_trace*"=read,
         * method-access.eth_sendTransaction=admin. They replace the shipped class of the method or prefix;
         * a method no rule names is denied. See docs/rpc.md.
         */
        @WithName("method-access")
        Map<String, String> methodAccess();

        /**
         * Whether admin methods (node administration, state manipulation, the node's own keys: admin_*,
         * debug_*, anvil_*, author_insertKey, ...) are forwarded at all, to keys with the admin scope.
         * Off: they are refused for every key.
         */
        @WithName("admin-methods-enabled")
        @WithDefault("false")
        boolean adminMethodsEnabled();

        Upstream.Retry retry();

        @WithName("circuit-breaker")
        Upstream.CircuitBreaker circuitBreaker();
    }
}
