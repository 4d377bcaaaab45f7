package dev.pgcache.entry;

import java.util.List;

import dev.pgcache.protocol.StoredJson;

/**
 * One upsert.
 *
 * @param json         the value as JSON text, already checked to be one valid JSON value
 * @param sizeBytes    an upper bound of the bytes a read of the value returns (value::text), see {@link StoredJson}
 * @param tags         labels for invalidation by tag; may be empty
 * @param revision     the source's own version of the value, or null; a write carrying a lower
 *                     revision than the stored live entry's is refused
 * @param precondition checked in the same statement as the write
 */
public record WriteRequest(EntryId id, String json, int sizeBytes, Lifetime lifetime, List<String> tags, Long revision,
        WritePrecondition precondition) {

    public WriteRequest(EntryId id, String json, int sizeBytes, Lifetime lifetime, List<String> tags, Long revision) {
        this(id, json, sizeBytes, lifetime, tags, revision, WritePrecondition.NONE);
    }
}
