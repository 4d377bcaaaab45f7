package dev.pgcache.protocol;

/**
 * Where an answer came from, sent as {@code X-Cache} (and counted in metrics by its lower-case
 * name): the one list of these values, for the REST API, read-through and the JSON-RPC proxy.
 */
public enum CacheStatus {
    /** A fresh stored value. */
    HIT,
    /** A stored value past its expiry, inside its stale window. */
    STALE,
    /** Nothing usable was stored: loaded from the upstream, or not found. */
    MISS,
    /** A stored "not found" of the upstream (negative caching): answered 404 without asking it. */
    NEGATIVE,
    /** Never cached (a method or request the cache passes through). */
    BYPASS;

    public static final String HEADER = "X-Cache";

    /**
     * The standard header (RFC 9211) sent beside X-Cache on answers with a stored value: the cache
     * is named {@code pgcache}, {@code detail} says whether the copy came from this replica's
     * memory or from the table.
     */
    public static final String RFC_HEADER = "Cache-Status";

    /** The header value. */
    public String value() {
        return name();
    }
}
