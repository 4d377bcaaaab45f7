package dev.pgcache.entry;

import java.time.Instant;

/**
 * One row of the cache_summary view; the column comments in V2__cache_summary_and_eviction.sql
 * say what each number means.
 */
public record NamespaceSummary(String namespace, long entries, long fresh, long stale, long gone, long totalBytes,
        Instant oldestFetchedAt, Instant newestFetchedAt, long hits, Instant lastHitAt) {
}
