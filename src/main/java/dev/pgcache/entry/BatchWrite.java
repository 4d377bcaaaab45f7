package dev.pgcache.entry;

import java.util.List;

import dev.pgcache.protocol.StoredJson;

/**
 * One entry of a batch write, in a namespace given for the whole batch.
 *
 * @param json      the value as JSON text, already checked
 * @param sizeBytes an upper bound of the bytes a read of the value returns (value::text), see {@link StoredJson}
 */
public record BatchWrite(String key, String json, int sizeBytes, Lifetime lifetime, List<String> tags, Long revision) {
}
