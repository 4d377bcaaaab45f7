package dev.pgcache.load;

import java.time.Duration;

import dev.pgcache.protocol.StoredJson;

/** What an upstream answered that is worth keeping: a JSON value, or that it has none (404). Failures are thrown, never returned. */
public sealed interface Fetched {

    /**
     * @param json        one valid JSON value, as the upstream sent it
     * @param sizeBytes   its stored size: an upper bound of what a read of it returns (StoredJson)
     * @param originMaxAge the freshness the upstream gave it (Cache-Control s-maxage or max-age, less Age), or null
     */
    record Value(String json, int sizeBytes, Duration originMaxAge) implements Fetched {
    }

    /** The upstream answered 404: there is no value under this key. */
    record NotFound() implements Fetched {
    }
}
