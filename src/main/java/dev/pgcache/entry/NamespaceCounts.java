package dev.pgcache.entry;

/** Rows of one namespace as the table holds them now. */
public record NamespaceCounts(String namespace, long entries, long fresh, long stale, long gone, long bytes) {

    public static NamespaceCounts empty(String namespace) {
        return new NamespaceCounts(namespace, 0, 0, 0, 0, 0);
    }
}
