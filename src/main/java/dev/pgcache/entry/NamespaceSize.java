package dev.pgcache.entry;

/**
 * Rows and bytes of a namespace, or of what an eviction batch removed.
 *
 * @param bytes sum of size_bytes: the JSON text as written
 */
public record NamespaceSize(long rows, long bytes) {
}
