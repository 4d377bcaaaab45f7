package dev.pgcache.entry;

import java.time.OffsetDateTime;

/**
 * A namespace measured against its bounds, and where eviction stops.
 *
 * @param rows            rows of the namespace when measured
 * @param bytes           sum of their size_bytes
 * @param rowsOver        rows over max-entries (0 when under)
 * @param bytesOver       bytes over max-bytes (0 when under)
 * @param cutoffFetchedAt with {@code cutoffKey}, the newest row to evict, in eviction order
 *                        (fetched_at, then key); null when nothing is to be evicted
 * @param reachesBounds   true when evicting up to the cutoff brings the namespace under both
 *                        bounds; false when the cutoff is as far as one run may evict
 */
public record EvictionPlan(long rows, long bytes, long rowsOver, long bytesOver, OffsetDateTime cutoffFetchedAt, String cutoffKey,
        boolean reachesBounds) {

    public boolean evicts() {
        return cutoffFetchedAt != null;
    }
}
