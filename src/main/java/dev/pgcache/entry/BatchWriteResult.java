package dev.pgcache.entry;

/**
 * The outcome of one entry of a batch write.
 *
 * @param result         the write, or null when refused
 * @param storedRevision when refused, the higher revision the stored entry holds
 */
public record BatchWriteResult(String key, WriteResult result, Long storedRevision) {

    public boolean written() {
        return result != null;
    }
}
