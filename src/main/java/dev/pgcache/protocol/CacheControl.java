package dev.pgcache.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code Cache-Control} header read into its directives (RFC 9111 §5.2): names lower-cased,
 * quoted values unquoted, the first of a repeated directive kept. The one parser for the three
 * readers: a writer's PUT (max-age, stale-while-revalidate), a read-through GET's request
 * directives, and an upstream's answer (max-age, s-maxage). What each directive means is theirs
 * to decide; how a number of seconds is read is decided here: strictly for what a caller sent
 * ({@link #seconds}: a 400), leniently for what an upstream sent ({@link #secondsIfValid}: ignored).
 */
public final class CacheControl {

    public static final CacheControl NONE = new CacheControl(Map.of());

    /** More digits than this is no number of seconds anyone means (about 31,700 years). */
    private static final int MAX_DIGITS = 12;

    private final Map<String, String> directives;

    private CacheControl(Map<String, String> directives) {
        this.directives = directives;
    }

    /** One header value, or null. */
    public static CacheControl parse(String header) {
        return header == null ? NONE : parse(List.of(header));
    }

    /** Every value of the header (an upstream may send several), read as one list. */
    public static CacheControl parse(List<String> headers) {
        Map<String, String> directives = new LinkedHashMap<>();
        for (String header : headers) {
            for (String directive : header.split(",")) {
                String d = directive.trim();
                if (d.isEmpty()) {
                    continue;
                }
                int eq = d.indexOf('=');
                String name = (eq < 0 ? d : d.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
                String value = eq < 0 ? null : unquote(d.substring(eq + 1).trim());
                directives.putIfAbsent(name, value);
            }
        }
        return directives.isEmpty() ? NONE : new CacheControl(Collections.unmodifiableMap(directives));
    }

    public boolean has(String name) {
        return directives.containsKey(name);
    }

    /** The directive's value, null when it has none (or is absent). */
    public String value(String name) {
        return directives.get(name);
    }

    /**
     * A directive of a number of seconds that a caller sent: null when absent.
     *
     * @throws ProblemException 400 invalid-cache-control when it is present without a whole number of seconds
     */
    public Long seconds(String name) {
        if (!has(name)) {
            return null;
        }
        Long seconds = secondsIfValid(name);
        if (seconds == null) {
            throw ProblemException.badRequest("invalid-cache-control",
                    "Cache-Control " + name + " must be a whole number of seconds, as in " + name + "=60");
        }
        return seconds;
    }

    /** The same for what an upstream sent: null when absent or not a whole number of seconds (ignored, never trusted). */
    public Long secondsIfValid(String name) {
        return wholeSeconds(directives.get(name));
    }

    /** A whole number of seconds in text (as Age is sent), or null. */
    public static Long wholeSeconds(String text) {
        if (text == null) {
            return null;
        }
        String t = unquote(text.trim());
        if (t.isEmpty() || t.length() > MAX_DIGITS || !t.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.parseLong(t);
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }
}
