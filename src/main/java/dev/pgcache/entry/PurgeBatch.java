package dev.pgcache.entry;

import java.util.Map;

/**
 * The outcome of one purge batch.
 *
 * @param lockHeld    false when another replica held the purge lock, so nothing was done
 * @param byNamespace rows deleted, per namespace
 */
public record PurgeBatch(boolean lockHeld, Map<String, Long> byNamespace) {

    public long deleted() {
        return byNamespace.values().stream().mapToLong(Long::longValue).sum();
    }
}
