package dev.pgcache.entry;

/**
 * What one bound is measured against and evicted from: one namespace (its max-entries and
 * max-bytes) or, with a null namespace, the whole table (pgcache.storage.max-entries and
 * max-bytes). {@link Long#MAX_VALUE} where there is no bound.
 */
public record EvictionScope(String namespace, long maxEntries, long maxBytes) {

    public static EvictionScope namespace(String namespace, long maxEntries, long maxBytes) {
        return new EvictionScope(namespace, maxEntries, maxBytes);
    }

    public static EvictionScope table(long maxEntries, long maxBytes) {
        return new EvictionScope(null, maxEntries, maxBytes);
    }

    public boolean wholeTable() {
        return namespace == null;
    }
}
