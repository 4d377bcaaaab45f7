package dev.pgcache.entry;

import java.time.Duration;
import java.util.Optional;

/**
 * How long a written value lives, counted from the write by the database clock.
 *
 * @param ttl   time until the value expires; empty means it never expires
 * @param stale how long after expiry it may still be served stale; zero means no stale window
 */
public record Lifetime(Optional<Duration> ttl, Duration stale) {

    public Lifetime {
        if (stale.isNegative() || ttl.map(Duration::isNegative).orElse(false)) {
            throw new IllegalArgumentException("a lifetime cannot be negative");
        }
    }

    public static Lifetime never() {
        return new Lifetime(Optional.empty(), Duration.ZERO);
    }

    /** Milliseconds until expires_at, or null for a value that never expires. */
    Long expiresInMillis() {
        return ttl.map(Duration::toMillis).orElse(null);
    }

    /** Milliseconds until stale_until, or null when there is no stale window (or no expiry at all). */
    Long staleUntilInMillis() {
        if (ttl.isEmpty() || stale.isZero()) {
            return null;
        }
        return ttl.get().plus(stale).toMillis();
    }
}
