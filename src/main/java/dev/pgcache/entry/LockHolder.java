package dev.pgcache.entry;

import java.time.Instant;

/**
 * The database session holding a lock, as pg_stat_activity names it.
 *
 * @param clientAddress null for a session over a Unix socket
 * @param since         when the holder's transaction started
 */
public record LockHolder(int pid, String applicationName, String clientAddress, Instant since) {
}
