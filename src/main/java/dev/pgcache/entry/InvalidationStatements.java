package dev.pgcache.entry;

import static dev.pgcache.entry.EntryStatements.LIVE;
import static dev.pgcache.entry.EntryStatements.LIVE_E;
import static dev.pgcache.entry.WriteStatements.COMMIT_DURABLY;

/**
 * The SQL of deleting entries on purpose ({@link Invalidations}): one key, with or without
 * If-Match, and many keys (a prefix, a tag, a revision, a namespace) in bounded batches. One of
 * the statement files of this package ({@link EntryStatements} lists them and the rules they all
 * keep). Each commits waiting for its WAL flush, as a strict namespace's writes do
 * ({@link WriteStatements#COMMIT_DURABLY}), whatever the namespace's durability: a lost delete
 * would bring a value back, so invalidations are always strict.
 */
final class InvalidationStatements {

    private InvalidationStatements() {
    }

    static final String DELETE_ONE = """
            DELETE FROM cache_entry USING\s""" + COMMIT_DURABLY + """
             AS durability
            WHERE namespace = ? AND cache_key = ?
            RETURNING\s""" + LIVE;

    /** Deletes only when the live entry has one of the versions (If-Match); answers whether it did. */
    static final String DELETE_IF_MATCH = """
            DELETE FROM cache_entry AS e USING\s""" + COMMIT_DURABLY + """
             AS durability
            WHERE e.namespace = ? AND e.cache_key = ? AND e.version = ANY(CAST(? AS bigint[])) AND\s""" + LIVE_E + """

            RETURNING true
            """;

    /**
     * Deletes one batch of the rows the filter selects; {@code %s} is one of the FILTER_* constants, never caller text.
     * The rows are picked and locked in the array subquery and deleted by their ctid (see {@link MaintenanceStatements#PURGE_BATCH} for why).
     */
    static final String DELETE_BATCH = """
            WITH deleted AS (
                DELETE FROM cache_entry USING\s""" + COMMIT_DURABLY + """
                 AS durability
                WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM cache_entry
                    WHERE namespace = ? %s
                    LIMIT ? FOR UPDATE SKIP LOCKED))
                RETURNING (expires_at IS NULL OR coalesce(stale_until, expires_at) > now()) AS live
            )
            SELECT count(*), count(*) FILTER (WHERE live) FROM deleted
            """;
    static final String FILTER_NONE = "";
    static final String FILTER_PREFIX_RANGE = "AND cache_key >= ? AND cache_key < ?";
    static final String FILTER_PREFIX_OPEN = "AND cache_key >= ?";
    static final String FILTER_TAG = "AND tags @> ARRAY[CAST(? AS text)]";
    /** Entries about a block at or above a height (revision = block number): what a chain re-org there makes wrong. */
    static final String FILTER_REVISION_FROM = "AND revision >= CAST(? AS bigint)";
}
