package dev.pgcache.entry;

import java.time.Instant;
import java.util.List;

/**
 * One page of keys, in key order (byte-wise).
 *
 * @param next the last key of the page when more may follow, else null
 */
public record KeyListing(List<Item> items, String next) {

    /** A key with its metadata; no value. */
    public record Item(String key, long version, Long revision, Freshness freshness, Instant fetchedAt, Instant expiresAt,
            Instant staleUntil, int sizeBytes, List<String> tags, long hitCount) {
    }
}
