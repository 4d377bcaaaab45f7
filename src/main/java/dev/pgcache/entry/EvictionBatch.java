package dev.pgcache.entry;

import java.util.Map;

/**
 * What one eviction batch did.
 *
 * @param taken       rows it took from the queue: deleted, or kept and sent to the back
 * @param kept        rows kept and requeued (read since they were queued): a second chance
 * @param byNamespace rows deleted per namespace
 * @param bytes       size_bytes deleted
 * @param rest        the plan for the next batch (a size-aware plan starts where this batch ended)
 */
public record EvictionBatch(int taken, int kept, Map<String, Long> byNamespace, long bytes, EvictionPlan rest) {

    public long deleted() {
        return byNamespace.values().stream().mapToLong(Long::longValue).sum();
    }
}
