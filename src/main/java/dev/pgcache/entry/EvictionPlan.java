package dev.pgcache.entry;

import java.time.OffsetDateTime;

/**
 * A scope measured against its bounds, and where eviction stops.
 *
 * @param rows            rows of the scope when measured
 * @param bytes           sum of their size_bytes
 * @param rowsOver        rows over max-entries (0 when under)
 * @param bytesOver       bytes over max-bytes (0 when under)
 * @param cutoffQueuedAt  with {@code cutoffNamespace} and {@code cutoffKey}, the last row to take,
 *                        in queue order (coalesce(requeued_at, fetched_at), then namespace and
 *                        key); null when nothing is to be evicted
 * @param reachesBounds   true when evicting up to the cutoff brings the scope under both bounds;
 *                        false when the cutoff is as far as one plan may read
 */
public record EvictionPlan(EvictionScope scope, long rows, long bytes, long rowsOver, long bytesOver, OffsetDateTime cutoffQueuedAt,
        String cutoffNamespace, String cutoffKey, boolean reachesBounds) {

    public boolean evicts() {
        return cutoffQueuedAt != null;
    }
}
