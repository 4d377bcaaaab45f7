package dev.pgcache.load;

import dev.pgcache.protocol.CacheControl;
import dev.pgcache.protocol.ProblemException;

/**
 * The request Cache-Control directives read-through honours (RFC 9111 §5.2.1). Others
 * (no-store, no-transform, stale-if-error, extensions) are ignored.
 *
 * @param noCache      reload from the upstream; never answer with a stored value
 * @param onlyIfCached never call the upstream; 504 when nothing stored is acceptable
 * @param maxAge       seconds: accept only values at most this old; null when absent
 * @param minFresh     seconds: accept only values fresh for at least this long; null when absent
 * @param maxStale     seconds a value may be past its expiry, within its stale window; null when absent,
 *                     {@link #ANY_STALENESS} for a bare max-stale
 */
record RequestDirectives(boolean noCache, boolean onlyIfCached, Long maxAge, Long minFresh, Long maxStale) {

    static final long ANY_STALENESS = Long.MAX_VALUE;
    static final RequestDirectives NONE = new RequestDirectives(false, false, null, null, null);

    /** @throws ProblemException (400 invalid-cache-control) for a directive with a bad number */
    static RequestDirectives parse(String header) {
        CacheControl cc = CacheControl.parse(header);
        if (cc == CacheControl.NONE) {
            return NONE;
        }
        // a bare max-stale accepts any staleness; Long.valueOf keeps the conditional boxed (no unboxing of an absent null)
        Long maxStale = cc.has("max-stale") && cc.value("max-stale") == null ? Long.valueOf(ANY_STALENESS) : cc.seconds("max-stale");
        return new RequestDirectives(cc.has("no-cache"), cc.has("only-if-cached"), cc.seconds("max-age"), cc.seconds("min-fresh"),
                maxStale);
    }
}
