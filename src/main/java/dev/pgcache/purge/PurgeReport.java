package dev.pgcache.purge;

import java.util.Map;

/**
 * What one purge run did.
 *
 * @param lockHeld    false when another replica (or run) was purging, so this run did nothing
 * @param purged      rows deleted in all
 * @param batches     batches (transactions) that deleted rows or found none left
 * @param complete    true when the run stopped because nothing past its stale window was left;
 *                    false when it stopped on its time budget or batch limit, leaving rows for the next run
 * @param byNamespace rows deleted per namespace
 */
public record PurgeReport(boolean lockHeld, long purged, int batches, boolean complete, long durationMs,
        Map<String, Long> byNamespace) {
}
