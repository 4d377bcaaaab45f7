package dev.pgcache.entry;

import java.time.Instant;

/**
 * Reads of one entry counted in memory, waiting to be added to its row.
 *
 * @param version   the version that was read; the hits count only while the row still holds it
 * @param count     how many reads
 * @param lastHitAt the latest of their read instants, by the database clock
 */
public record Hit(EntryId id, long version, long count, Instant lastHitAt) {
}
