package dev.pgcache.protocol;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The {@code Date} header's value (RFC 9110 §5.6.7, IMF-fixdate), which every answer carries so
 * that HTTP caches can judge its age. Formatted at most once a second: it is on every request.
 */
public final class HttpDate {

    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'",
            java.util.Locale.US).withZone(ZoneOffset.UTC);

    private record Stamp(long second, String text) {
    }

    private static volatile Stamp last = new Stamp(-1, "");

    private HttpDate() {
    }

    public static String now() {
        long second = System.currentTimeMillis() / 1000;
        Stamp s = last;
        if (s.second() != second) {
            s = new Stamp(second, IMF_FIXDATE.format(Instant.ofEpochSecond(second)));
            last = s;
        }
        return s.text();
    }
}
