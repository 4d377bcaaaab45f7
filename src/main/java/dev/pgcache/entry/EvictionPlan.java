package dev.pgcache.entry;

import java.time.OffsetDateTime;

import dev.pgcache.config.EvictionPolicy;

/**
 * A scope measured against its bounds, and where eviction stops.
 *
 * @param policy          the order the plan was made in, which its batches follow
 * @param rows            rows of the scope when measured
 * @param bytes           sum of their size_bytes
 * @param rowsOver        rows over max-entries (0 when under)
 * @param bytesOver       bytes over max-bytes (0 when under)
 * @param cutoffQueuedAt  with {@code cutoffNamespace} and {@code cutoffKey}, the last row to take,
 *                        in queue order (coalesce(requeued_at, fetched_at), then namespace and
 *                        key); with size-aware eviction, in weight order, then queue order (see
 *                        {@code window}); null when nothing is to be evicted
 * @param reachesBounds   true when evicting up to the cutoff brings the scope under both bounds;
 *                        false when the cutoff is as far as one plan may read
 * @param window          size-aware eviction only (else null): the cutoff's weight, and the
 *                        window's and the hand's last rows in queue order
 */
public record EvictionPlan(EvictionScope scope, EvictionPolicy policy, long rows, long bytes, long rowsOver, long bytesOver,
        OffsetDateTime cutoffQueuedAt, String cutoffNamespace, String cutoffKey, boolean reachesBounds, Window window) {

    /** A row's place in the queue: coalesce(requeued_at, fetched_at), then namespace and key. */
    public record Place(OffsetDateTime queuedAt, String namespace, String key) {
    }

    /**
     * What a size-aware plan decided over its window of the queue's first rows.
     *
     * @param cutoffWeight the cutoff row's weight ((reads since queued + 1) / size_bytes): rows of
     *                     the window lighter than it, or as light and before it in the queue, go
     * @param end          the window's last row: batches take nothing behind it
     * @param handEnd      the hand's last row: rows up to it read since queued are requeued
     * @param start        where the plan's next batch starts: the window's first row, then the last
     *                     row the batch before took (gone from there, deleted or requeued)
     */
    public record Window(double cutoffWeight, Place end, Place handEnd, Place start) {
    }

    /** This plan, its next batch starting at {@code start} (size-aware plans; others take no start). */
    EvictionPlan startingAt(Place start) {
        if (window == null || start == null) {
            return this;
        }
        return new EvictionPlan(scope, policy, rows, bytes, rowsOver, bytesOver, cutoffQueuedAt, cutoffNamespace, cutoffKey, reachesBounds,
                new Window(window.cutoffWeight(), window.end(), window.handEnd(), start));
    }

    static EvictionPlan under(EvictionScope scope, EvictionPolicy policy, long rows, long bytes) {
        return new EvictionPlan(scope, policy, rows, bytes, 0, 0, null, null, null, true, null);
    }

    public boolean evicts() {
        return cutoffQueuedAt != null;
    }
}
