package dev.pgcache.api;

import java.util.Locale;

import dev.pgcache.protocol.ProblemException;

/**
 * Freshness a writer asks for with {@code Cache-Control} on a PUT (RFC 9111 §5.2):
 * {@code max-age=N} as the TTL, {@code stale-while-revalidate=M} as the stale window, both in
 * seconds. Other directives are ignored. {@code ?ttl=} and {@code ?stale=} win when both are given.
 */
record RequestCacheControl(String maxAge, String staleWhileRevalidate) {

    static RequestCacheControl parse(String header) {
        if (header == null || header.isBlank()) {
            return new RequestCacheControl(null, null);
        }
        String maxAge = null;
        String swr = null;
        for (String directive : header.split(",")) {
            String d = directive.trim();
            int eq = d.indexOf('=');
            String name = (eq < 0 ? d : d.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : unquote(d.substring(eq + 1).trim());
            if (name.equals("max-age")) {
                maxAge = seconds(name, value);
            } else if (name.equals("stale-while-revalidate")) {
                swr = seconds(name, value);
            }
        }
        return new RequestCacheControl(maxAge, swr);
    }

    private static String seconds(String name, String value) {
        if (value == null || value.isEmpty() || value.length() > 12 || !value.chars().allMatch(Character::isDigit)) {
            throw ProblemException.badRequest("invalid-cache-control",
                    "Cache-Control " + name + " must be a whole number of seconds, as in " + name + "=60");
        }
        return value;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }
}
