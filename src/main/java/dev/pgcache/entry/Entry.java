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
 * @param negative   the entry remembers that the upstream had no value (it carries the tag
 *                   {@link EntryStore#NEGATIVE_TAG}); read-through answers it as a 404
 * @param source     where this copy was read: the table, or this replica's near cache (whose
 *                   {@code readAt} is the database clock as this replica estimates it)
 */
public record Entry(String json, long version, Long revision, Instant fetchedAt, Instant expiresAt,
        Instant staleUntil, Instant readAt, boolean negative, Source source) {

    /** Where a copy of an entry was read. */
    public enum Source {
        TABLE,
        MEMORY
    }

    public Entry(String json, long version, Long revision, Instant fetchedAt, Instant expiresAt, Instant staleUntil, Instant readAt,
            boolean negative) {
        this(json, version, revision, fetchedAt, expiresAt, staleUntil, readAt, negative, Source.TABLE);
    }

    public Entry(String json, long version, Long revision, Instant fetchedAt, Instant expiresAt, Instant staleUntil, Instant readAt) {
        this(json, version, revision, fetchedAt, expiresAt, staleUntil, readAt, false);
    }

    /** This entry as answered from memory at {@code now} (the database's clock). */
    public Entry fromMemoryAt(Instant now) {
        return new Entry(json, version, revision, fetchedAt, expiresAt, staleUntil, now, negative, Source.MEMORY);
    }

    /** Whether the entry is past its stale window at {@code now}: no reader may be answered with it (EntryStatements.LIVE). */
    public boolean goneAt(Instant now) {
        return expiresAt != null && !(staleUntil != null ? staleUntil : expiresAt).isAfter(now);
    }

    public Freshness freshness() {
        return expiresAt == null || expiresAt.isAfter(readAt) ? Freshness.FRESH : Freshness.STALE;
    }

    /** Whole seconds of freshness left at the read (0 when stale); null when it never expires. */
    public Long secondsLeft() {
        return expiresAt == null ? null : Math.max(0, Duration.between(readAt, expiresAt).toSeconds());
    }

    /** Whole seconds since the value expired (0 while fresh). */
    public long secondsStale() {
        return expiresAt == null ? 0 : Math.max(0, Duration.between(expiresAt, readAt).toSeconds());
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
