package dev.pgcache.entry;

import static dev.pgcache.entry.WriteStatements.COMMIT_NO_WAIT;

/**
 * The SQL of eviction ({@link MaintenanceStore}, for {@code purge.Evictor}): the sizes bounds are
 * measured against, where the queue must be cut (in queue order, or by weight over a window of
 * its first rows), the batches that delete up to that cut (or give a row its second chance) and
 * the requeue of the rows kept. One of the statement files of this
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
                   (SELECT coalesce(sum(size_bytes), 0) FROM deleted)""";

    /**
     * Deletes the {@code picked} rows not kept (a CTE {@code deleted}, for EVICTED_ANSWER). The
     * batch's transaction commits without waiting for its WAL flush (WriteStatements.COMMIT_NO_WAIT),
     * as the purge's batches do and for the same reason: nobody is answered on an eviction's
     * durability, and an eviction lost in a crash is done again by the next purge run.
     */
    static final String DELETE_PICKED = """
            ), deleted AS (
                DELETE FROM cache_entry USING\s""" + COMMIT_NO_WAIT + """
                 AS durability
                WHERE ctid = ANY (ARRAY(SELECT ctid FROM picked WHERE NOT kept))
                RETURNING namespace, size_bytes
            )
            """;

    /**
     * The rest of an eviction batch after its {@code picked} rows: deletes those not kept, and
     * answers in one row (EVICTED_ANSWER).
     */
    static final String EVICT_PICKED = DELETE_PICKED + EVICTED_ANSWER + "\n";

    /**
     * {@link #EVICT_PICKED} for a size-aware batch, whose {@code picked} rows also give their queue
     * place: the answer ends with the last of those places (NULLs when it took none), where the next
     * batch of the plan starts, so that batches do not read again the window's rows they left.
     */
    static final String WEIGHT_EVICT_PICKED = DELETE_PICKED + EVICTED_ANSWER + """
            , last.queued_at, last.namespace, last.cache_key
            FROM (SELECT 1) AS one
            LEFT JOIN (SELECT queued_at, namespace, cache_key FROM picked
                       ORDER BY queued_at DESC, namespace DESC, cache_key DESC LIMIT 1) AS last ON true
            """;

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

    /*
     * Size-aware eviction (pgcache.storage.eviction-policy=size-aware): within a window of the
     * queue's first rows, a row's weight is the reads it had since it was queued, plus one, per
     * byte; the lightest go first, so many small values read now and then outlast a few large
     * ones read as rarely (greedy-dual-size-frequency, over a window of the queue instead of a
     * heap of the whole table). The reads since queued are hit_count less requeued_hit_count (V13),
     * the hit_count of when eviction last requeued the row: a write sets hit_count to 0 and
     * requeued_at to NULL, so while requeued_at is NULL every hit counted is since the row was
     * queued. Rows of the hand (the window's first rows, as many as are to be freed) that were
     * read since queued and are not evicted are requeued, which uses their reads up: the aging
     * that hit_count alone, which never decays, cannot give. No index covers requeued_hit_count,
     * hit_count or size_bytes: the weight is computed over the window, never looked up.
     */

    /** The reads a row had since it was queued, as flushed (sampled reads count sample-one-in each). */
    static final String HITS_SINCE_QUEUED = "(hit_count - CASE WHEN requeued_at IS NULL THEN 0 ELSE coalesce(requeued_hit_count, 0) END)";

    /** A row's weight for size-aware eviction: reads since queued, plus one, per byte. */
    static final String WEIGHT = "CAST(" + HITS_SINCE_QUEUED + " + 1 AS double precision) / greatest(size_bytes, 1)";

    /**
     * The end of a size-aware plan (after a CTE {@code win} of the window's rows with their queue
     * position qpos): the row, in weight order (then queue order), at which enough rows and bytes
     * are counted, or else the heaviest; the window's last row; the hand's last row (qpos at
     * most the rows to free); and the window's first row, where its first batch starts.
     */
    static final String WEIGHT_CUTOFF_TAIL = """
            ), ranked AS (
                SELECT weight, queued_at, namespace, cache_key, row_number() OVER w AS pos,
                       (count(*) OVER w >= ? AND coalesce(sum(size_bytes) OVER w, 0) >= ?) AS enough
                FROM win
                WINDOW w AS (ORDER BY weight, queued_at, namespace, cache_key ROWS UNBOUNDED PRECEDING)
            ), cut AS (
                SELECT weight, queued_at, namespace, cache_key, enough FROM ranked
                ORDER BY enough DESC, CASE WHEN enough THEN pos ELSE -pos END
                LIMIT 1
            )
            SELECT cut.queued_at, cut.namespace, cut.cache_key, cut.enough, cut.weight,
                   last.queued_at, last.namespace, last.cache_key, hand.queued_at, hand.namespace, hand.cache_key,
                   first.queued_at, first.namespace, first.cache_key
            FROM cut,
                 (SELECT queued_at, namespace, cache_key FROM win WHERE qpos = 1) AS first,
                 (SELECT queued_at, namespace, cache_key FROM win ORDER BY qpos DESC LIMIT 1) AS last,
                 (SELECT queued_at, namespace, cache_key FROM win WHERE qpos <= greatest(?, 1) ORDER BY qpos DESC LIMIT 1) AS hand
            """;

    /**
     * Size-aware eviction's plan for one namespace: reads the queue's first {@code limit} rows
     * (the window, an index range on cache_entry_queue_idx) and ranks them by weight; the cutoff
     * is the row (weight, queue place) at which enough rows and bytes are counted. Parameters:
     * namespace, limit, rows, bytes, rows of the hand.
     */
    static final String WEIGHT_CUTOFF = """
            WITH win AS (
                SELECT coalesce(requeued_at, fetched_at) AS queued_at, namespace, cache_key, size_bytes,\s""" + WEIGHT + """
             AS weight,
                       row_number() OVER (ORDER BY coalesce(requeued_at, fetched_at), cache_key) AS qpos
                FROM cache_entry
                WHERE namespace = ?
                ORDER BY coalesce(requeued_at, fetched_at), cache_key
                LIMIT ?
            """ + WEIGHT_CUTOFF_TAIL;

    /** {@link #WEIGHT_CUTOFF} over the whole table (cache_entry_table_queue_idx). Parameters: limit, rows, bytes, rows of the hand. */
    static final String TABLE_WEIGHT_CUTOFF = """
            WITH win AS (
                SELECT coalesce(requeued_at, fetched_at) AS queued_at, namespace, cache_key, size_bytes,\s""" + WEIGHT + """
             AS weight,
                       row_number() OVER (ORDER BY coalesce(requeued_at, fetched_at), namespace, cache_key) AS qpos
                FROM cache_entry
                ORDER BY coalesce(requeued_at, fetched_at), namespace, cache_key
                LIMIT ?
            """ + WEIGHT_CUTOFF_TAIL;

    /**
     * One size-aware batch in one namespace: takes up to {@code limit} rows of the plan's window
     * (an index range up to its last row, in queue order) that are at or below the cutoff in
     * weight order, to be deleted, or in the hand and read since queued, to be requeued (kept).
     * Rows of the window neither light enough nor read stay where they are, untaken. Every row
     * taken leaves the set (deleted, or requeued behind the window), so running it again takes
     * nothing more, and another replica's plan, made after this one's batches, finds the rows
     * still to go. It starts at a place in the window, the window's first row or where the
     * batch before ended, so the plan's batches read the window once between them. Parameters:
     * cutoff weight, queued_at, namespace, key; namespace; window end queued_at, key; start
     * queued_at, key; cutoff again; hand end queued_at, key; limit.
     */
    static final String WEIGHT_EVICT_BATCH = """
            WITH picked AS (
                SELECT ctid, coalesce(requeued_at, fetched_at) AS queued_at, namespace, cache_key, (""" + WEIGHT + """
            , coalesce(requeued_at, fetched_at), namespace, cache_key) > (?, ?, ?, ?) AS kept
                FROM cache_entry
                WHERE namespace = ? AND (coalesce(requeued_at, fetched_at), cache_key) <= (?, ?)
                  AND (coalesce(requeued_at, fetched_at), cache_key) >= (?, ?)
                  AND ((""" + WEIGHT + """
            , coalesce(requeued_at, fetched_at), namespace, cache_key) <= (?, ?, ?, ?)
                       OR ((coalesce(requeued_at, fetched_at), cache_key) <= (?, ?) AND\s""" + HITS_SINCE_QUEUED + """
             > 0))
                ORDER BY coalesce(requeued_at, fetched_at), cache_key
                LIMIT ? FOR UPDATE SKIP LOCKED
            """ + WEIGHT_EVICT_PICKED;

    /**
     * {@link #WEIGHT_EVICT_BATCH} over the whole table. Parameters: cutoff weight, queued_at,
     * namespace, key; window end queued_at, namespace, key; start queued_at, namespace, key;
     * cutoff again; hand end queued_at, namespace, key; limit.
     */
    static final String TABLE_WEIGHT_EVICT_BATCH = """
            WITH picked AS (
                SELECT ctid, coalesce(requeued_at, fetched_at) AS queued_at, namespace, cache_key, (""" + WEIGHT + """
            , coalesce(requeued_at, fetched_at), namespace, cache_key) > (?, ?, ?, ?) AS kept
                FROM cache_entry
                WHERE (coalesce(requeued_at, fetched_at), namespace, cache_key) <= (?, ?, ?)
                  AND (coalesce(requeued_at, fetched_at), namespace, cache_key) >= (?, ?, ?)
                  AND ((""" + WEIGHT + """
            , coalesce(requeued_at, fetched_at), namespace, cache_key) <= (?, ?, ?, ?)
                       OR ((coalesce(requeued_at, fetched_at), namespace, cache_key) <= (?, ?, ?) AND\s""" + HITS_SINCE_QUEUED + """
             > 0))
                ORDER BY coalesce(requeued_at, fetched_at), namespace, cache_key
                LIMIT ? FOR UPDATE SKIP LOCKED
            """ + WEIGHT_EVICT_PICKED;

    /**
     * The second chance: rows an eviction batch kept (its ctids, locked by that batch in this
     * transaction) go to the back of the queue, and their reads are used up (last_hit_at is no
     * longer after their place, and requeued_hit_count, which size-aware eviction weighs by, is
     * their hit_count now). requeued_at is in the queue indexes, so this is not a HOT update,
     * but it is one row write per kept row per pass of eviction, never one per read. Readers see
     * nothing change, so, like {@link MaintenanceStatements#RECORD_HITS}, it tells the change trigger not to announce
     * it to the near caches; it runs after the batch's DELETE, whose announcement has gone out.
     */
    static final String REQUEUE = """
            UPDATE cache_entry SET requeued_at = now(), requeued_hit_count = hit_count
            FROM (SELECT set_config('pgcache.change_origin', 'hit-count', true)) AS quiet
            WHERE ctid = ANY (CAST(? AS tid[]))
            """;
}
