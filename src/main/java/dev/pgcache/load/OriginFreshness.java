package dev.pgcache.load;

import java.net.http.HttpHeaders;
import java.time.Duration;

import dev.pgcache.protocol.CacheControl;

/**
 * The freshness an upstream gives its answer (RFC 9111 §4.2.1): s-maxage wins over max-age,
 * because pgcache is a shared cache, and Age is subtracted when the upstream is itself a cache.
 * Malformed values are ignored rather than trusted.
 */
final class OriginFreshness {

    private OriginFreshness() {
    }

    /** The freshness left, or null when the upstream gave none. */
    static Duration of(HttpHeaders headers) {
        CacheControl cc = CacheControl.parse(headers.allValues("Cache-Control"));
        Long sMaxAge = cc.secondsIfValid("s-maxage");
        Long lifetime = sMaxAge != null ? sMaxAge : cc.secondsIfValid("max-age");
        if (lifetime == null) {
            return null;
        }
        long age = headers.firstValue("Age").map(CacheControl::wholeSeconds).orElse(0L);
        return Duration.ofSeconds(Math.max(0, lifetime - age));
    }
}
