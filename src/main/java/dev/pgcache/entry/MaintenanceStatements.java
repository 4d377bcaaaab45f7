package dev.pgcache.entry;

import static dev.pgcache.entry.WriteStatements.COMMIT_NO_WAIT;

/**
 * The SQL of the table's upkeep ({@link MaintenanceStore}, {@link TablePersistence}): the purge
 * of rows past their stale window, the flush of counted hits, the counts and the summary per
 * namespace, who holds the purge lock, the table's persistence and its size on disk. One of the
 * statement files of this package ({@link EntryStatements} lists them and the rules they all
 * keep).
 */
final class MaintenanceStatements {

    private MaintenanceStatements() {
    }

    /**
     * Picks up to {@code limit} rows past their stale window and deletes them, in one statement.
     *
     * <p>The pick matches cache_entry_purge_idx (same expression, same predicate) and orders by
     * it, so it is an index range scan that starts where the gone rows are (dead index entries
     * of earlier batches are marked and skipped), oldest first. Without the ORDER BY, the planner
     * may prefer a sequential scan when many rows are gone, which re-reads from the table's start
     * every row earlier batches left dead.
     *
     * <p>The picked rows are deleted by their ctid ({@code ctid = ANY (ARRAY(…))}: a TID scan).
     * Joining them back on the primary key instead ({@code DELETE … USING picked}) is planned
     * from the generic plan's guess of the LIMIT, not its value, once the JDBC driver prepares
     * the statement on the server (from the fifth run): a hash join that reads the whole table
     * for every batch, 1.3 s per batch at a million rows (docs/benchmarks.md); the pool now never
     * prepares on the server (prepareThreshold=0, for poolers), but the ctid form does not depend
     * on that and stays. The ctids are of row versions this statement has locked, so no other
     * transaction can move them before the delete.
     *
     * <p>It commits without waiting for its WAL flush (WriteStatements.COMMIT_NO_WAIT, joined in
     * as soon as a row was deleted): nobody is answered on a purge's durability, so it need not
     * wait for a disk flush per batch (a purge lost in a crash is done again by the next run).
     */
    static final String PURGE_BATCH = """
            WITH deleted AS (
                DELETE FROM cache_entry WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM cache_entry
                    WHERE expires_at IS NOT NULL AND coalesce(stale_until, expires_at) <= now()
                    ORDER BY coalesce(stale_until, expires_at)
                    LIMIT ? FOR UPDATE SKIP LOCKED))
                RETURNING namespace
            )
            SELECT namespace, count(*) FROM deleted CROSS JOIN\s""" + COMMIT_NO_WAIT + """
             AS durability GROUP BY namespace
            """;

    /**
     * Adds counted hits to their entries in one statement. An entry matches only while it still
     * holds the version that was read: hits on a value that has since been replaced are dropped,
     * because hit_count counts reads of the current value. Touches hit_count and last_hit_at
     * only, no indexed column, so each row update can be HOT (see V2__cache_summary_and_eviction.sql).
     *
     * <p>Nothing a reader is answered with changes, so the near caches need not hear of it: the
     * statement sets pgcache.change_origin for its own transaction (autocommit: the statement),
     * which the change trigger reads when the statement ends (V6__change_notifications.sql).
     * The setting is made in a FROM item of one row, evaluated before any row is updated.
     */
    static final String RECORD_HITS = """
            UPDATE cache_entry e
            SET hit_count = e.hit_count + u.n, last_hit_at = greatest(e.last_hit_at, u.t)
            FROM (SELECT set_config('pgcache.change_origin', 'hit-count', true)) AS quiet,
                 unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS bigint[]),
                        CAST(? AS timestamptz[])) AS u(ns, k, v, n, t)
            WHERE e.namespace = u.ns AND e.cache_key = u.k AND e.version = u.v
            """;

    /** Row counts per namespace by state. Scans the table: for the admin API, not for hot paths. */
    static final String COUNT_BY_NAMESPACE = """
            SELECT namespace, count(*),
                   count(*) FILTER (WHERE expires_at IS NULL OR expires_at > now()),
                   count(*) FILTER (WHERE expires_at <= now() AND stale_until > now()),
                   count(*) FILTER (WHERE coalesce(stale_until, expires_at) <= now()),
                   coalesce(sum(size_bytes), 0)
            FROM cache_entry
            GROUP BY namespace
            ORDER BY namespace
            """;

    static final String SUMMARY = """
            SELECT namespace, entries, fresh, stale, gone, total_bytes, oldest_fetched_at, newest_fetched_at, hits, last_hit_at
            FROM cache_summary ORDER BY namespace
            """;

    /**
     * Who holds the purge lock right now (a one-bigint advisory lock shows in pg_locks as classid =
     * high half, objid = low half, objsubid = 1), from the catalogs; no row lock, no scan of cache_entry.
     * In this database only: an advisory lock belongs to its database, so a pgcache with its own
     * database on the same server holds a purge lock of the same number that is not this one.
     */
    static final String PURGE_LOCK_HOLDER = """
            SELECT a.pid, a.application_name, host(a.client_addr), a.xact_start
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND ((CAST(l.classid AS bigint) << 32) | CAST(l.objid AS bigint)) = ?
            LIMIT 1
            """;

    /** Whether cache_entry is UNLOGGED now; a catalog lookup. */
    static final String TABLE_UNLOGGED = "SELECT relpersistence = 'u' FROM pg_class WHERE oid = CAST('cache_entry' AS regclass)";

    /**
     * Rewrite the table (and its indexes) as unlogged or logged, under an ACCESS EXCLUSIVE lock
     * for the whole rewrite: no reader or writer gets through meanwhile (docs/operations.md,
     * "Unlogged table"). Utility statements take no parameters.
     */
    static final String SET_UNLOGGED = "ALTER TABLE cache_entry SET UNLOGGED";
    static final String SET_LOGGED = "ALTER TABLE cache_entry SET LOGGED";

    /** Heap, indexes and TOAST of cache_entry on disk; a catalog lookup, no scan. */
    static final String TABLE_SIZE = "SELECT pg_total_relation_size(CAST('cache_entry' AS regclass))";
}
