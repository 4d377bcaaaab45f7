package dev.pgcache.entry;

import java.time.Duration;
import java.time.Instant;

/**
 * A live entry as a reader sees it. Every instant comes from the database clock, including
 * {@code readAt} (the database's now() at the read), so ages and freshness agree across replicas.
 *
 * @param json       the stored value as JSON text, written to the response as it is
 * @param revision   the source's version, or null
 * @param expiresAt  null when the value never expires
 * @param staleUntil null when there is no stale window
 */
public record Entry(String json, long version, Long revision, Instant fetchedAt, Instant expiresAt,
        Instant staleUntil, Instant readAt) {

    public Freshness freshness() {
        return expiresAt == null || expiresAt.isAfter(readAt) ? Freshness.FRESH : Freshness.STALE;
    }

    /** Whole seconds since the value was fetched from its source (never negative). */
    public long ageSeconds() {
        return Math.max(0, Duration.between(fetchedAt, readAt).toSeconds());
    }

    /** Whole seconds the value was given to stay fresh, counted from fetchedAt; null when it never expires. */
    public Long freshnessLifetimeSeconds() {
        return expiresAt == null ? null : Math.max(0, Duration.between(fetchedAt, expiresAt).toSeconds());
    }

    /** Length of the stale window in whole seconds; 0 when there is none. */
    public long staleWindowSeconds() {
        return staleUntil == null || expiresAt == null ? 0 : Math.max(0, Duration.between(expiresAt, staleUntil).toSeconds());
    }
}
