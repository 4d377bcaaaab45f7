package dev.pgcache.entry;

import java.time.Instant;

/**
 * What an upsert stored.
 *
 * @param created    true when no live entry existed before (absent, or gone and waiting for purge)
 * @param expiresAt  null when the value never expires
 * @param staleUntil null when there is no stale window
 */
public record WriteResult(long version, boolean created, Instant writtenAt, Instant expiresAt, Instant staleUntil) {
}
