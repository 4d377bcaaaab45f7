package dev.pgcache.api;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answers of {@link OverviewApi}, as records that are also their schemas (as {@link Answers}). */
final class OverviewAnswers {

    private OverviewAnswers() {
    }

    @Schema(name = "Me", description = "The calling key: its name (never its secret), scopes, and the declared namespaces it may use")
    record Me(String key, @Schema(enumeration = { "read", "write", "admin" }) List<String> scopes,
            @Schema(description = "declared namespaces (pgcache.namespaces and the JSON-RPC upstreams' rpc-*) the key may read or write, by name")
            List<NamespaceAccess> namespaces,
            @Schema(description = "pgcache.allow-undeclared-namespaces: whether other namespaces the key's patterns allow can be used too")
            boolean undeclaredNamespacesAllowed) {
    }

    @Schema(name = "NamespaceAccess", description = "A declared namespace, what the key may do in it, and its settings")
    record NamespaceAccess(String name, boolean read, boolean write,
            @Schema(description = "the TTL of writes that give none; null: never expires", nullable = true) Long ttlSeconds,
            long staleSeconds,
            @Schema(description = "whether GETs may be answered from this replica's memory (near cache on, and on for the namespace)")
            boolean nearCache,
            @Schema(nullable = true) Long maxEntries, @Schema(nullable = true) Long maxBytes,
            @Schema(description = "whether a GET that misses loads the value from an HTTP upstream") boolean readThrough) {
    }

    @Schema(name = "Activity", description = "This replica's last minutes, one sample per interval, oldest first")
    record Activity(long intervalSeconds, List<ActivitySample> samples) {
    }

    @Schema(name = "ActivitySample", description = "What happened in one interval: reads by outcome (all namespaces) and the latency of /v1 requests")
    record ActivitySample(Instant at, @Schema(description = "the interval's length") double seconds, double hitsPerSecond,
            double staleHitsPerSecond, double missesPerSecond, @Schema(description = "/v1 requests answered, any outcome") double requestsPerSecond,
            @Schema(description = "median latency, ms, from the front door to the answer's last byte (a bucket's upper bound, at most 25 % high); "
                    + "null when no request was answered", nullable = true) Double p50Ms,
            @Schema(description = "99th percentile, likewise", nullable = true) Double p99Ms) {
    }

    @Schema(name = "Status", description = "Background work as this replica sees it: purge, and the JSON-RPC upstreams' chains")
    record Status(PurgeStatus purge, List<ChainStatus> upstreams) {
    }

    @Schema(name = "PurgeStatus")
    record PurgeStatus(boolean enabled, long intervalSeconds,
            @Schema(description = "when this replica last completed a run; null before its first", nullable = true) Instant lastCompletedAt,
            String lastOutcome,
            @Schema(description = "seconds since this replica last completed a run (or started); the wellness check is DOWN past 3 intervals")
            long secondsSinceProgress,
            @Schema(description = "the database session holding the purge lock now (a batch is running there); null when none", nullable = true)
            LockHolder lockHolder,
            @Schema(description = "this replica's last completed runs, newest first (at most 10)") List<PurgeRun> recentRuns) {
    }

    @Schema(name = "PurgeLockHolder")
    record LockHolder(int pid, @Schema(description = "the holder's application_name (pgcache's pool sets 'pgcache')") String applicationName,
            @Schema(nullable = true) String clientAddress, @Schema(nullable = true) Instant since) {
    }

    @Schema(name = "PurgeRun")
    record PurgeRun(Instant at, boolean lockHeld, long purged, long evicted, int batches, boolean complete, long durationMs) {
    }

    @Schema(name = "ChainStatus", description = "A JSON-RPC upstream's chain as this replica last saw it")
    record ChainStatus(String name, String namespace, @Schema(nullable = true, description = "null until the node answered") Long head,
            @Schema(nullable = true) Long finalized, @Schema(description = "re-orgs detected by this replica since it started") long reorgs,
            @Schema(description = "its nodes by id (one, id 'default', when it is configured with a single url)") List<NodeStatus> nodes) {
    }

    @Schema(name = "RpcNodeStatus", description = "One node of a JSON-RPC upstream as this replica sees it")
    record NodeStatus(String id, @Schema(description = "scheme://host:port; never the path or query") String origin,
            @Schema(description = "primary or fallback") String role, int weight,
            @Schema(nullable = true, description = "its head as last polled; null until it answered") Long head,
            @Schema(description = "more than max-lag blocks behind the best node: not asked about blocks near the head") boolean lagging,
            @Schema(description = "its circuit breaker: closed, half_open or open") String breaker,
            @Schema(description = "callers' calls sent to it") long calls,
            @Schema(description = "those that failed, or answered null about a block it had not reached") long errors,
            @Schema(nullable = true, description = "median duration of its recent successful calls; null before any") Double p50Ms,
            @Schema(nullable = true) Double p90Ms) {
    }
}
