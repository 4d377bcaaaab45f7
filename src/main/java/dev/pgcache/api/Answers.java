package dev.pgcache.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The JSON answers the resources build, as records: Jackson writes them in the order of their
 * components, nulls included, and the OpenAPI document takes their schemas from the same records,
 * so what is documented is what is sent. (The batch bodies are streamed instead, see
 * {@link ApiExamples}.)
 */
final class Answers {

    private Answers() {
    }

    @Schema(name = "WriteAnswer", description = "What a write or touch stored")
    record WriteAnswer(String namespace, String key,
            @Schema(description = "the new version; also the ETag") long version,
            @Schema(description = "true when no live entry existed before (absent, or gone and waiting for purge)") boolean created,
            @Schema(description = "end of freshness; null when the value never expires", nullable = true) Instant expiresAt,
            @Schema(description = "end of the stale window; null when there is none", nullable = true) Instant staleUntil) {
    }

    @Schema(name = "KeyPage", description = "One page of a namespace's live keys, in key order (byte-wise)")
    record KeyPage(String namespace, List<KeyItem> items,
            @Schema(description = "cursor for the next page (pass as ?after=); null on the last page", nullable = true) String next) {
    }

    @Schema(name = "KeyItem", description = "A live key with its metadata, without the value")
    record KeyItem(String key, @Schema(enumeration = { "fresh", "stale" }) String state, long version,
            @Schema(nullable = true) Long revision, Instant fetchedAt, @Schema(nullable = true) Instant expiresAt,
            @Schema(nullable = true) Instant staleUntil, int sizeBytes, List<String> tags, long hitCount) {
    }

    @Schema(name = "Invalidated", description = "How many live entries were removed (gone rows are removed too but not counted)")
    record Invalidated(long invalidated) {
    }

    @Schema(name = "PurgeReport")
    record PurgeReport(@Schema(description = "rows deleted") long purged, long durationMs,
            @Schema(description = "batches (transactions) run under the purge lock") int batches,
            @Schema(description = "false when the run stopped at its time budget or batch limit, or lost the lock") boolean complete,
            @Schema(description = "false when another replica held the purge lock and nothing was done") boolean lockHeld,
            @Schema(description = "rows deleted per namespace") Map<String, Long> byNamespace,
            @Schema(description = "rows evicted because a namespace was over max-entries or max-bytes") long evicted,
            @Schema(description = "rows evicted per namespace, for their namespace's bound") Map<String, Long> evictedByNamespace,
            @Schema(description = "rows evicted because the whole table was over pgcache.storage.max-entries or max-bytes") long evictedForCap,
            @Schema(description = "rows evicted per namespace, for the table's cap") Map<String, Long> evictedForCapByNamespace,
            @Schema(description = "rows eviction reached but kept and requeued (read since they were queued; eviction-policy second-chance or size-aware)") long secondChances) {
    }

    @Schema(name = "NamespaceList")
    record NamespaceList(List<NamespaceInfo> namespaces) {
    }

    @Schema(name = "NamespaceInfo", description = "Counts scan the table; entries = fresh + stale + gone")
    record NamespaceInfo(String name, @Schema(description = "declared under pgcache.namespaces") boolean declared, long entries,
            long fresh, long stale, @Schema(description = "past their stale window, waiting for purge") long gone,
            @Schema(description = "sum of the values' sizes in bytes") long bytes, Policy policy) {
    }

    @Schema(name = "NamespacePolicy", description = "The lifetime of writes that give none")
    record Policy(@Schema(description = "null: never expires", nullable = true) Long ttlSeconds, long staleSeconds) {
    }

    @Schema(name = "Stats", description = "Counters of this replica since it started counting")
    record Stats(Instant since, @Schema(description = "by namespace; namespaces past pgcache.metrics.max-namespaces are summed under _other")
    Map<String, NamespaceStats> namespaces) {
    }

    @Schema(name = "NamespaceStats")
    record NamespaceStats(long hits, long staleHits, long misses, long writes, long invalidations,
            @Schema(description = "rows purge removed after their stale window (expiry)") long purged,
            @Schema(description = "rows evicted because the namespace was over its own max-entries or max-bytes") long evicted,
            @Schema(description = "rows evicted because the whole table was over pgcache.storage.max-entries or max-bytes") long evictedForCap,
            @Schema(description = "(hits + staleHits) / (hits + staleHits + misses); null before the first read", nullable = true) Double hitRatio,
            @Schema(description = "rows of the namespace in the table, whatever their state, as of the last table-stats refresh "
                    + "(pgcache.table-stats.refresh-interval); null before the first", nullable = true) Long entries,
            @Schema(description = "sum of the values' sizes in bytes, as of the same refresh; null before the first", nullable = true) Long bytes,
            @Schema(description = "what a 2xx to a write promises if the database crashes", enumeration = { "strict", "relaxed" }) String durability) {
    }
}
