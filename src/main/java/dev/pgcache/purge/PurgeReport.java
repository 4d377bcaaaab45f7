package dev.pgcache.purge;

import java.util.Map;

/**
 * What one purge run did.
 *
 * @param lockHeld           false when another replica (or run) was purging, so this run did nothing
 * @param purged             rows past their stale window deleted in all
 * @param batches            batches (transactions) that deleted rows or found none left, purge and eviction together
 * @param complete           true when the run stopped because nothing past its stale window was left and
 *                           every bounded namespace was under its bounds; false when it stopped on its time
 *                           budget, its batch limit or a lock hand-over, leaving work for the next run
 * @param byNamespace        rows past their stale window deleted per namespace
 * @param evicted            rows evicted because their namespace was over max-entries or max-bytes
 * @param evictedByNamespace rows evicted per namespace, for their namespace's bound
 * @param evictedForCap      rows evicted because the whole table was over pgcache.storage.max-entries or max-bytes
 * @param evictedForCapByNamespace rows evicted per namespace, for the table's cap
 * @param secondChances      rows eviction reached but kept and requeued, because they were read since they were queued
 */
public record PurgeReport(boolean lockHeld, long purged, int batches, boolean complete, long durationMs,
        Map<String, Long> byNamespace, long evicted, Map<String, Long> evictedByNamespace, long evictedForCap,
        Map<String, Long> evictedForCapByNamespace, long secondChances) {
}
