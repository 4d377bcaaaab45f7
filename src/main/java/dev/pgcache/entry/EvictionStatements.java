package dev.pgcache.entry;

/**
 * The SQL of eviction ({@link MaintenanceStore}, for {@code purge.Evictor}): the sizes bounds are
 * measured against, where the queue must be cut, the batches that delete up to that cut (or give
 * a row its second chance) and the requeue of the rows kept. One of the statement files of this
 * package ({@link EntryStatements} lists them and the rules they all keep).
 */
final class EvictionStatements {

    private EvictionStatements() {
    }

    /** All rows of one namespace, whatever their state: what its bounds are measured against. */
    static final String NAMESPACE_SIZE = """
            SELECT count(*), coalesce(sum(size_bytes), 0) FROM cache_entry WHERE namespace = ?
            """;

    /** All rows of the table, every namespace, whatever their state: what pgcache.storage.max-entries and max-bytes are measured against. */
    static final String TABLE_ROWS_AND_BYTES = """
            SELECT count(*), coalesce(sum(size_bytes), 0) FROM cache_entry
            """;

    /*
     * The eviction queue. A row's place in it is coalesce(requeued_at, fetched_at): when it was
     * written, or when eviction last gave it a second chance (requeued_at, V9; a write sets it
     * back to NULL). cache_entry_queue_idx and cache_entry_table_queue_idx index exactly that
     * expression (V10), so the statements below spell it exactly so. A row is kept (given a
     * second chance instead of being evicted) when the statement's first parameter is true
     * (pgcache.storage.eviction-policy=second-chance) and it was read since it was queued, as
     * the flushed last_hit_at tells; with oldest-first nothing is kept.
     */

    /** The queue's first rows (FROM … and the WINDOW w follow), with the rows and bytes not kept counted along the way. */
    static final String CUTOFF_HEAD = """
            WITH oldest AS (
                SELECT queued_at, namespace, cache_key, row_number() OVER w AS pos,
                       count(*) FILTER (WHERE NOT kept) OVER w AS n,
                       coalesce(sum(size_bytes) FILTER (WHERE NOT kept) OVER w, 0) AS bytes
            """;

    /** The first row at which enough rows and bytes not kept are counted, or else the last row read. */
    static final String CUTOFF_TAIL = """
            ), marked AS (
                SELECT queued_at, namespace, cache_key, pos, (n >= ? AND bytes >= ?) AS enough FROM oldest
            )
            SELECT queued_at, namespace, cache_key, enough FROM marked
            ORDER BY enough DESC, CASE WHEN enough THEN pos ELSE -pos END
            LIMIT 1
            """;

    /**
     * The last row eviction must reach in one namespace, in queue order (queued_at, then key, as
     * cache_entry_queue_idx holds them): the first of its oldest-queued rows at which at least
     * {@code rows} rows and {@code bytes} bytes of rows not kept are counted (kept rows count
     * nothing: they get a second chance instead); when the first {@code limit} rows are not
     * enough, the last of them (the rest waits for the next plan). Parameters: second chance,
     * namespace, limit, rows, bytes.
     */
    static final String EVICTION_CUTOFF = CUTOFF_HEAD + """
                FROM (SELECT coalesce(requeued_at, fetched_at) AS queued_at, namespace, cache_key, size_bytes,
                             coalesce(CAST(? AS boolean) AND last_hit_at > coalesce(requeued_at, fetched_at), false) AS kept
                      FROM cache_entry
                      WHERE namespace = ?
                      ORDER BY coalesce(requeued_at, fetched_at), cache_key
                      LIMIT ?) AS o
                WINDOW w AS (ORDER BY queued_at, cache_key ROWS UNBOUNDED PRECEDING)
            """ + CUTOFF_TAIL;

    /**
     * {@link #EVICTION_CUTOFF} over the whole table, for pgcache.storage.max-entries and max-bytes:
     * one queue across namespaces, declared or not (queued_at, then namespace and key, as
     * cache_entry_table_queue_idx holds them). Parameters: second chance, limit, rows, bytes.
     */
    static final String TABLE_EVICTION_CUTOFF = CUTOFF_HEAD + """
                FROM (SELECT coalesce(requeued_at, fetched_at) AS queued_at, namespace, cache_key, size_bytes,
                             coalesce(CAST(? AS boolean) AND last_hit_at > coalesce(requeued_at, fetched_at), false) AS kept
                      FROM cache_entry
                      ORDER BY coalesce(requeued_at, fetched_at), namespace, cache_key
                      LIMIT ?) AS o
                WINDOW w AS (ORDER BY queued_at, namespace, cache_key ROWS UNBOUNDED PRECEDING)
            """ + CUTOFF_TAIL;

    /**
     * What one eviction batch answers, in one row: the rows it took, the ctids of those it kept
     * (for REQUEUE, in the same transaction, which holds their row locks), and the rows and
     * bytes it deleted per namespace (namespaces and counts as two arrays in namespace order).
     */
    static final String EVICTED_ANSWER = """
            SELECT (SELECT count(*) FROM picked), CAST(ARRAY(SELECT ctid FROM picked WHERE kept) AS text),
                   ARRAY(SELECT namespace FROM deleted GROUP BY namespace ORDER BY namespace),
                   ARRAY(SELECT count(*) FROM deleted GROUP BY namespace ORDER BY namespace),
                   (SELECT coalesce(sum(size_bytes), 0) FROM deleted)
            """;

    /**
     * The rest of an eviction batch after its {@code picked} rows: deletes those not kept, and
     * answers in one row (EVICTED_ANSWER).
     */
    static final String EVICT_PICKED = """
            ), deleted AS (
                DELETE FROM cache_entry WHERE ctid = ANY (ARRAY(SELECT ctid FROM picked WHERE NOT kept))
                RETURNING namespace, size_bytes
            )
            """ + EVICTED_ANSWER;

    /**
     * Takes up to {@code limit} of the namespace's rows at or before the cutoff row, in queue
     * order (an index range on cache_entry_queue_idx), deletes those not kept and answers the
     * kept ones for {@link #REQUEUE}. Rows a writer holds are skipped, not waited for; deleted by
     * ctid like {@link MaintenanceStatements#PURGE_BATCH}. Because the batch is bounded by a row, not by a count, and
     * every row it takes leaves the range (deleted, or requeued behind it), running it again, or
     * from another replica with its own cutoff taken after this one's batches, removes nothing
     * more than needed. Parameters: second chance, namespace, cutoff queued_at and key, limit.
     */
    static final String EVICT_BATCH = """
            WITH picked AS (
                SELECT ctid, coalesce(CAST(? AS boolean) AND last_hit_at > coalesce(requeued_at, fetched_at), false) AS kept
                FROM cache_entry
                WHERE namespace = ? AND (coalesce(requeued_at, fetched_at), cache_key) <= (?, ?)
                ORDER BY coalesce(requeued_at, fetched_at), cache_key
                LIMIT ? FOR UPDATE SKIP LOCKED
            """ + EVICT_PICKED;

    /**
     * {@link #EVICT_BATCH} over the whole table (cache_entry_table_queue_idx). Parameters: second
     * chance, cutoff queued_at, namespace and key, limit.
     */
    static final String TABLE_EVICT_BATCH = """
            WITH picked AS (
                SELECT ctid, coalesce(CAST(? AS boolean) AND last_hit_at > coalesce(requeued_at, fetched_at), false) AS kept
                FROM cache_entry
                WHERE (coalesce(requeued_at, fetched_at), namespace, cache_key) <= (?, ?, ?)
                ORDER BY coalesce(requeued_at, fetched_at), namespace, cache_key
                LIMIT ? FOR UPDATE SKIP LOCKED
            """ + EVICT_PICKED;

    /**
     * The second chance: rows an eviction batch kept (its ctids, locked by that batch in this
     * transaction) go to the back of the queue, and their last hit is used up (last_hit_at is no
     * longer after QUEUED_AT). requeued_at is in the queue indexes, so this is not a HOT update,
     * but it is one row write per kept row per pass of eviction, never one per read. Readers see
     * nothing change, so, like {@link MaintenanceStatements#RECORD_HITS}, it tells the change trigger not to announce
     * it to the near caches; it runs after the batch's DELETE, whose announcement has gone out.
     */
    static final String REQUEUE = """
            UPDATE cache_entry SET requeued_at = now()
            FROM (SELECT set_config('pgcache.change_origin', 'hit-count', true)) AS quiet
            WHERE ctid = ANY (CAST(? AS tid[]))
            """;
}
