package dev.pgcache.config;

import java.time.Duration;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the durations callers and operators write: whole seconds ({@code 300}), ISO-8601
 * ({@code PT5M}, {@code P1D}, {@code P1DT2H}) or a number with a unit ({@code 500ms},
 * {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}). {@code never} means "no expiry".
 */
public final class Durations {

    private static final Pattern WITH_UNIT = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");
    private static final Pattern ISO_DAYS_AND_TIME = Pattern.compile("P(\\d{1,7})DT(.+)");

    private Durations() {
    }

    /**
     * Parses a time to live.
     *
     * @return empty for "never"
     * @throws IllegalArgumentException with a message fit for a caller when the text is not a
     *         non-negative duration
     */
    public static Optional<Duration> parseTtl(String text) {
        if (text != null && text.trim().equalsIgnoreCase("never")) {
            return Optional.empty();
        }
        return Optional.of(parse(text));
    }

    /** Parses a non-negative duration; see the class comment for the accepted forms. */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("is empty; give seconds (300), ISO-8601 (PT5M) or a number with a unit (5m)");
        }
        String t = text.trim();
        Duration d = parseOrNull(t);
        if (d == null) {
            throw new IllegalArgumentException("'" + abbreviate(t)
                    + "' is not a duration; give seconds (300), ISO-8601 (PT5M) or a number with a unit (5m)");
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException("'" + abbreviate(t) + "' is negative; a duration must be zero or more");
        }
        return d;
    }

    private static Duration parseOrNull(String t) {
        if (t.matches("-?\\d{1,12}")) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        Matcher unit = WITH_UNIT.matcher(t.toLowerCase(Locale.ROOT));
        if (unit.matches()) {
            long n = Long.parseLong(unit.group(1));
            return switch (unit.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        String upper = t.toUpperCase(Locale.ROOT);
        if (upper.startsWith("P") || upper.startsWith("-P")) {
            try {
                return Duration.parse(upper);
            } catch (DateTimeParseException | ArithmeticException notTimeBased) {
                return parseDateBasedIso(upper);
            }
        }
        return null;
    }

    /** Duration.parse does not take P1W or P1M; accept weeks and days, refuse months and years (their length varies). */
    private static Duration parseDateBasedIso(String upper) {
        try {
            Matcher daysAndTime = ISO_DAYS_AND_TIME.matcher(upper);
            if (daysAndTime.matches()) {
                return Duration.ofDays(Long.parseLong(daysAndTime.group(1))).plus(Duration.parse("PT" + daysAndTime.group(2)));
            }
            Period p = Period.parse(upper);
            if (p.getYears() != 0 || p.getMonths() != 0) {
                return null;
            }
            return Duration.ofDays(p.getDays());
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }

    private static String abbreviate(String t) {
        return t.length() <= 40 ? t : t.substring(0, 40) + "…";
    }
}
