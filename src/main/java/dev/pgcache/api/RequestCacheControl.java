package dev.pgcache.api;

import dev.pgcache.protocol.CacheControl;

/**
 * Freshness a writer asks for with {@code Cache-Control} on a PUT (RFC 9111 §5.2):
 * {@code max-age=N} as the TTL, {@code stale-while-revalidate=M} as the stale window, both in
 * seconds. Other directives are ignored. {@code ?ttl=} and {@code ?stale=} win when both are given.
 */
record RequestCacheControl(String maxAge, String staleWhileRevalidate) {

    /** @throws dev.pgcache.protocol.ProblemException 400 invalid-cache-control for a directive with a bad number */
    static RequestCacheControl parse(String header) {
        CacheControl cc = CacheControl.parse(header);
        return new RequestCacheControl(text(cc.seconds("max-age")), text(cc.seconds("stale-while-revalidate")));
    }

    private static String text(Long seconds) {
        return seconds == null ? null : seconds.toString();
    }
}
