package dev.pgcache.load;

import java.util.Locale;

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
        if (header == null || header.isBlank()) {
            return NONE;
        }
        boolean noCache = false;
        boolean onlyIfCached = false;
        Long maxAge = null;
        Long minFresh = null;
        Long maxStale = null;
        for (String directive : header.split(",")) {
            String d = directive.trim();
            int eq = d.indexOf('=');
            String name = (eq < 0 ? d : d.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : unquote(d.substring(eq + 1).trim());
            switch (name) {
                case "no-cache" -> noCache = true;
                case "only-if-cached" -> onlyIfCached = true;
                case "max-age" -> maxAge = seconds(name, value);
                case "min-fresh" -> minFresh = seconds(name, value);
                case "max-stale" -> maxStale = value == null ? ANY_STALENESS : seconds(name, value);
                default -> {
                    // not one read-through acts on
                }
            }
        }
        return new RequestDirectives(noCache, onlyIfCached, maxAge, minFresh, maxStale);
    }

    private static long seconds(String name, String value) {
        if (value == null || value.isEmpty() || value.length() > 12 || !value.chars().allMatch(Character::isDigit)) {
            throw ProblemException.badRequest("invalid-cache-control",
                    "Cache-Control " + name + " must be a whole number of seconds, as in " + name + "=60");
        }
        return Long.parseLong(value);
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }
}
