package dev.pgcache.load;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Locale;

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
        Long maxAge = null;
        Long sMaxAge = null;
        for (String header : headers.allValues("Cache-Control")) {
            for (String directive : header.split(",")) {
                String d = directive.trim().toLowerCase(Locale.ROOT);
                if (d.startsWith("s-maxage=")) {
                    sMaxAge = seconds(d.substring("s-maxage=".length()));
                } else if (d.startsWith("max-age=")) {
                    maxAge = seconds(d.substring("max-age=".length()));
                }
            }
        }
        Long lifetime = sMaxAge != null ? sMaxAge : maxAge;
        if (lifetime == null) {
            return null;
        }
        long age = headers.firstValue("Age").map(OriginFreshness::seconds).orElse(0L);
        return Duration.ofSeconds(Math.max(0, lifetime - age));
    }

    private static Long seconds(String text) {
        String t = text.trim();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.isEmpty() || t.length() > 10 || !t.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.parseLong(t);
    }
}
