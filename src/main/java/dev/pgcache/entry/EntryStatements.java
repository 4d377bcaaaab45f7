package dev.pgcache.entry;

/**
 * Every SQL statement on {@code cache_entry}, in one file, so a reader can check each query
 * against the indexes in one place (bench/pgbench/generate.py writes the pgbench scripts from
 * this text). The classes of this package send them: {@link EntryStore} (reads, writes),
 * {@link LoadLocks} (the load lock), {@link Invalidations} and {@link MaintenanceStore} (purge,
 * eviction, hit flushes, summaries).
 *
 * <p>Rules that hold for every statement here:
 * <ul>
 * <li>One statement per operation: writes are atomic and replicas cannot interleave a read
 * and a write of one key.</li>
 * <li>Freshness is judged with the database clock, now(), never the JVM's.</li>
 * <li>A row past {@code coalesce(stale_until, expires_at)} is gone: no read returns it, and an
 * invalidation does not count it.</li>
 * <li>Anything that may touch many rows works in bounded batches, each its own short
 * transaction, so no statement holds locks on a large part of the table.</li>
 * </ul>
 * A {@code %s} in a statement is filled with one of the fragments defined next to it, never
 * with caller text; every value is a bound parameter. Objects are named without their schema, as
 * the pgbench scripts generated from this text name them; {@link Connections#prepare} puts the
 * configured schema in front of each ({@link SchemaQualified}), so no statement depends on a
 * session's search_path.
 */
final class EntryStatements {

    private EntryStatements() {
    }

    static final String LIVE = "(expires_at IS NULL OR coalesce(stale_until, expires_at) > now())";

    /** The entry as it was before a write, for telling why a refused write was refused (and whether a write created). */
    static final String PRIOR = """
            prior AS (
                SELECT version, revision, coalesce(stale_until, expires_at) <= now() AS gone
                FROM cache_entry WHERE namespace = ? AND cache_key = ?
            )""";

    /**
     * Joins the write's RETURNING row (absent when refused) with the prior row, so every write
     * answers exactly one row. Its {@code %s} is COMMIT_STRICT or COMMIT_RELAXED, the one row
     * everything else is joined to.
     */
    static final String WRITE_ANSWER = """
            SELECT w.version, w.inserted OR coalesce(p.gone, false), w.fetched_at, w.expires_at, w.stale_until,
                   p.version, p.revision, p.gone
            FROM %s AS durability LEFT JOIN written w ON true LEFT JOIN prior p ON true
            """;

    /**
     * How a write's transaction commits, a one-row FROM item of every write statement (the last
     * {@code %s} of UPSERT, REPLACE_IF_MATCH, BATCH_UPSERT and TOUCH). A namespace with
     * durability=relaxed sets synchronous_commit off for the statement's own transaction
     * (autocommit, or the load lock's transaction it runs in): the commit then returns before
     * its WAL is flushed. The setting ends with the transaction, so a pooler in transaction mode
     * can share the server connection, and a strict write's transaction never carries it: one
     * write statement holds one namespace's entries (see EntryStore.upsertEach). Strict writes
     * keep the server's own synchronous_commit.
     */
    static final String COMMIT_STRICT = "(SELECT 1)";
    static final String COMMIT_RELAXED = "(SELECT set_config('synchronous_commit', 'off', true))";

    /**
     * A live stored entry with a higher revision refuses the write; equal or higher wins. A gone
     * entry refuses nothing. Evaluated on the row as locked by ON CONFLICT / UPDATE, so it holds
     * under concurrent writers.
     */
    static final String REVISION_GUARD = "(e.revision IS NULL OR EXCLUDED.revision IS NULL OR EXCLUDED.revision >= e.revision)";
    static final String GONE_E = "coalesce(e.stale_until, e.expires_at) <= now()";
    static final String LIVE_E = "(e.expires_at IS NULL OR coalesce(e.stale_until, e.expires_at) > now())";

    /**
     * Insert or replace; the first {@code %s} is one of the IF_NONE_MATCH_* fragments, the second
     * a COMMIT_* one, never caller text.
     * The replacing branch draws its version in SET, after the row lock is held, so a key's
     * versions rise in commit order (a version drawn in VALUES would predate the lock wait).
     */
    static final String UPSERT = "WITH " + PRIOR + """
            , written AS (
                INSERT INTO cache_entry AS e (namespace, cache_key, value, fetched_at, expires_at, stale_until,
                                              version, revision, size_bytes, tags)
                VALUES (?, ?, CAST(? AS jsonb), now(),
                        now() + CAST(? AS bigint) * interval '1 millisecond',
                        now() + CAST(? AS bigint) * interval '1 millisecond',
                        nextval('cache_entry_version_seq'), ?, ?, CAST(? AS text[]))
                ON CONFLICT (namespace, cache_key) DO UPDATE SET
                    value = EXCLUDED.value, fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at,
                    stale_until = EXCLUDED.stale_until, version = nextval('cache_entry_version_seq'), revision = EXCLUDED.revision,
                    size_bytes = EXCLUDED.size_bytes, tags = EXCLUDED.tags, hit_count = 0, last_hit_at = NULL, requeued_at = NULL
                WHERE\s""" + GONE_E + " OR (" + REVISION_GUARD + """
             %s)
                RETURNING e.version, (e.xmax = 0) AS inserted, e.fetched_at, e.expires_at, e.stale_until
            )
            """ + WRITE_ANSWER;
    static final String IF_NONE_MATCH_NONE = "";
    static final String IF_NONE_MATCH_ANY = "AND false";
    static final String IF_NONE_MATCH_VERSIONS = "AND e.version <> ALL(CAST(? AS bigint[]))";

    /** Replace only a live entry (If-Match); the first {@code %s} is IF_MATCH_ANY or IF_MATCH_VERSIONS, the second COMMIT_*. */
    static final String REPLACE_IF_MATCH = "WITH " + PRIOR + """
            , written AS (
                UPDATE cache_entry AS e SET
                    value = CAST(? AS jsonb), fetched_at = now(),
                    expires_at = now() + CAST(? AS bigint) * interval '1 millisecond',
                    stale_until = now() + CAST(? AS bigint) * interval '1 millisecond',
                    version = nextval('cache_entry_version_seq'), revision = CAST(? AS bigint), size_bytes = ?,
                    tags = CAST(? AS text[]), hit_count = 0, last_hit_at = NULL, requeued_at = NULL
                WHERE e.namespace = ? AND e.cache_key = ? AND\s""" + LIVE_E + """
                  AND (e.revision IS NULL OR CAST(? AS bigint) IS NULL OR CAST(? AS bigint) >= e.revision) %s
                RETURNING e.version, false AS inserted, e.fetched_at, e.expires_at, e.stale_until
            )
            """ + WRITE_ANSWER;
    static final String IF_MATCH_ANY = "";
    static final String IF_MATCH_VERSIONS = "AND e.version = ANY(CAST(? AS bigint[]))";

    /** Many upserts of one namespace in one statement; answers one row per input, in input order, refused ones with a null version; {@code %s} is COMMIT_*. */
    static final String BATCH_UPSERT = """
            WITH input AS (
                SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS bigint[]),
                                     CAST(? AS bigint[]), CAST(? AS int[]), CAST(? AS text[]))
                    WITH ORDINALITY AS u(cache_key, value, expires_ms, stale_until_ms, revision, size_bytes, tags_json, ord)
            ), prior AS (
                SELECT e.cache_key, e.revision, coalesce(e.stale_until, e.expires_at) <= now() AS gone
                FROM cache_entry e JOIN input i ON e.namespace = ? AND e.cache_key = i.cache_key COLLATE "C"
            ), written AS (
                INSERT INTO cache_entry AS e (namespace, cache_key, value, fetched_at, expires_at, stale_until,
                                              version, revision, size_bytes, tags)
                SELECT ?, i.cache_key, CAST(i.value AS jsonb), now(),
                       now() + i.expires_ms * interval '1 millisecond',
                       now() + i.stale_until_ms * interval '1 millisecond',
                       nextval('cache_entry_version_seq'), i.revision, i.size_bytes,
                       ARRAY(SELECT jsonb_array_elements_text(CAST(i.tags_json AS jsonb)))
                FROM input i ORDER BY i.ord
                ON CONFLICT (namespace, cache_key) DO UPDATE SET
                    value = EXCLUDED.value, fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at,
                    stale_until = EXCLUDED.stale_until, version = nextval('cache_entry_version_seq'), revision = EXCLUDED.revision,
                    size_bytes = EXCLUDED.size_bytes, tags = EXCLUDED.tags, hit_count = 0, last_hit_at = NULL, requeued_at = NULL
                WHERE\s""" + GONE_E + " OR " + REVISION_GUARD + """

                RETURNING e.cache_key, e.version, (e.xmax = 0) AS inserted, e.fetched_at, e.expires_at, e.stale_until
            )
            SELECT i.cache_key, w.version, w.inserted OR coalesce(p.gone, false), w.fetched_at, w.expires_at, w.stale_until,
                   CASE WHEN coalesce(p.gone, true) THEN NULL ELSE p.revision END
            FROM %s AS durability CROSS JOIN input i
            LEFT JOIN written w ON w.cache_key = i.cache_key COLLATE "C"
            LEFT JOIN prior p ON p.cache_key = i.cache_key COLLATE "C"
            ORDER BY i.ord
            """;

    /** Extends a live entry's life without rewriting its value; the version stays, since the value did not change; {@code %s} is COMMIT_*. */
    static final String TOUCH = """
            UPDATE cache_entry AS e SET
                expires_at = now() + CAST(? AS bigint) * interval '1 millisecond',
                stale_until = now() + CAST(? AS bigint) * interval '1 millisecond'
            FROM %s AS durability
            WHERE e.namespace = ? AND e.cache_key = ? AND\s""" + LIVE_E + """

            RETURNING e.version, e.fetched_at, e.expires_at, e.stale_until
            """;

    static final String GET = """
            SELECT value::text, version, revision, fetched_at, expires_at, stale_until, now(), tags @> ARRAY['pgcache:negative']
            FROM cache_entry
            WHERE namespace = ? AND cache_key = ? AND\s""" + LIVE;

    /**
     * Many reads in one round trip for an answer of bounded size, answered in the order asked; a
     * missing or gone key comes back with a null version. Each key stands for {@code copies}
     * copies of its value in the answer. The values' bytes in the answer (size_bytes, an upper
     * bound of value::text, times the copies) are summed over all rows first, and the values come
     * back only when that sum is within the bound ({@code ?} first): an answer too large for the
     * caller's memory is found out without reading a value, its TOASTed bytes included (CASE
     * evaluates value::text only when it holds). The sum comes back in every row.
     */
    static final String BATCH_GET = """
            SELECT CASE WHEN coalesce(sum(CAST(e.size_bytes AS bigint) * k.copies) OVER (), 0) <= ? THEN e.value::text END,
                   e.version, e.revision, e.fetched_at, e.expires_at, e.stale_until, now(),
                   coalesce(e.tags @> ARRAY['pgcache:negative'], false),
                   coalesce(sum(CAST(e.size_bytes AS bigint) * k.copies) OVER (), 0)
            FROM unnest(CAST(? AS text[]), CAST(? AS int[])) WITH ORDINALITY AS k(cache_key, copies, ord)
            LEFT JOIN cache_entry e ON e.namespace = ? AND e.cache_key = k.cache_key COLLATE "C" AND\s""" + LIVE_E + """

            ORDER BY k.ord
            """;

    /**
     * Single-key reads of concurrent GETs in one round trip (see ReadCoalescer): the keys may be
     * in different namespaces; answered in the order asked, a missing or gone key with a null value.
     */
    static final String GET_EACH = """
            SELECT e.value::text, e.version, e.revision, e.fetched_at, e.expires_at, e.stale_until, now(),
                   coalesce(e.tags @> ARRAY['pgcache:negative'], false)
            FROM unnest(CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS k(namespace, cache_key, ord)
            LEFT JOIN cache_entry e ON e.namespace = k.namespace COLLATE "C" AND e.cache_key = k.cache_key COLLATE "C"
                AND\s""" + LIVE_E + """

            ORDER BY k.ord
            """;

    /** One page of live keys after a cursor, in key order; {@code %s} is LIST_* below, never caller text. Keyset paging stays stable under writes. */
    static final String LIST_KEYS = """
            SELECT cache_key, version, revision, fetched_at, expires_at, stale_until, size_bytes, tags, hit_count, now()
            FROM cache_entry e
            WHERE namespace = ? AND cache_key > ? %s AND\s""" + LIVE_E + """

            ORDER BY cache_key
            LIMIT ?
            """;
    static final String LIST_ALL = "";
    static final String LIST_PREFIX_RANGE = "AND cache_key >= ? AND cache_key < ?";
    static final String LIST_PREFIX_OPEN = "AND cache_key >= ?";

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

    static final String DELETE_ONE = """
            DELETE FROM cache_entry WHERE namespace = ? AND cache_key = ?
            RETURNING\s""" + LIVE;

    /** Deletes only when the live entry has one of the versions (If-Match); answers whether it did. */
    static final String DELETE_IF_MATCH = """
            DELETE FROM cache_entry AS e
            WHERE e.namespace = ? AND e.cache_key = ? AND e.version = ANY(CAST(? AS bigint[])) AND\s""" + LIVE_E + """

            RETURNING true
            """;

    /**
     * Deletes one batch of the rows the filter selects; {@code %s} is one of the FILTER_* constants, never caller text.
     * The rows are picked and locked in the array subquery and deleted by their ctid (see {@link #PURGE_BATCH} for why).
     */
    static final String DELETE_BATCH = """
            WITH deleted AS (
                DELETE FROM cache_entry WHERE ctid = ANY (ARRAY(
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

    /**
     * The timeouts of one of the service's own transactions, set for that transaction only (they
     * end with it, so a pooler in transaction mode can share the server connection): statement_timeout
     * and lock_timeout in milliseconds, the last two parameters of the statement that opens it.
     */
    static final String TRANSACTION_TIMEOUTS = "set_config('statement_timeout', ?, true), set_config('lock_timeout', ?, true)";

    /**
     * A utility statement run inside an open transaction to let go of the last query's snapshot
     * (see Connections.releaseSnapshot): it sets the transaction's lock_timeout again, to the
     * value it already has. {@code %d} is that value in milliseconds, from config; SET takes no
     * parameters.
     */
    static final String RELEASE_SNAPSHOT = "SET LOCAL lock_timeout = %d";

    /** Opens a purge or eviction transaction: its lock, without waiting, and its timeouts. */
    static final String TRY_PURGE_LOCK = "SELECT pg_try_advisory_xact_lock(?), " + TRANSACTION_TIMEOUTS;

    /**
     * Opens a load's transaction: the entry's load lock, without waiting, and its timeouts. The
     * lock is transaction-scoped, so it ends at the commit or rollback (or when the connection
     * drops), and no pooled session or shared server connection can keep it.
     * namespace || '/' || key names one entry unambiguously: a namespace never holds '/'.
     */
    static final String TRY_LOAD_LOCK = "SELECT pg_try_advisory_xact_lock(?, hashtext(? || '/' || ?)), " + TRANSACTION_TIMEOUTS;

    /**
     * Opens the transaction of many loads of one namespace at once (a JSON-RPC body's misses):
     * the load lock of each key, tried without waiting, as one array of booleans in the order
     * asked (true where taken), and the transaction's timeouts. The locks are {@link #TRY_LOAD_LOCK}'s,
     * so a read-through load and a JSON-RPC call of the same entry exclude each other too.
     * Try-locks never wait, so taking several in one statement cannot deadlock.
     */
    static final String TRY_LOAD_LOCKS = """
            SELECT ARRAY(SELECT pg_try_advisory_xact_lock(?, hashtext(CAST(? AS text) || '/' || k.cache_key))
                         FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS k(cache_key, ord)
                         ORDER BY k.ord),
                   """ + TRANSACTION_TIMEOUTS;

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
 * prepares on the server (prepareThreshold=0, for poolers), but the ctid form does not depend on
 * that and stays. The ctids are of
     * row versions this statement has locked, so no other transaction can move them before the
     * delete.
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
            SELECT namespace, count(*) FROM deleted GROUP BY namespace
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
     * ctid like {@link #PURGE_BATCH}. Because the batch is bounded by a row, not by a count, and
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
     * nothing change, so, like {@link #RECORD_HITS}, it tells the change trigger not to announce
     * it to the near caches; it runs after the batch's DELETE, whose announcement has gone out.
     */
    static final String REQUEUE = """
            UPDATE cache_entry SET requeued_at = now()
            FROM (SELECT set_config('pgcache.change_origin', 'hit-count', true)) AS quiet
            WHERE ctid = ANY (CAST(? AS tid[]))
            """;

    static final String SUMMARY = """
            SELECT namespace, entries, fresh, stale, gone, total_bytes, oldest_fetched_at, newest_fetched_at, hits, last_hit_at
            FROM cache_summary ORDER BY namespace
            """;

    /**
     * Who holds the purge lock right now (a one-bigint advisory lock shows in pg_locks as classid =
     * high half, objid = low half, objsubid = 1), from the catalogs; no row lock, no scan of cache_entry.
     */
    static final String PURGE_LOCK_HOLDER = """
            SELECT a.pid, a.application_name, host(a.client_addr), a.xact_start
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND ((CAST(l.classid AS bigint) << 32) | CAST(l.objid AS bigint)) = ?
            LIMIT 1
            """;

    /**
     * Opens the transaction that makes the table's persistence what pgcache.storage.unlogged says:
     * waits for the lock (so replicas starting together change it once, one after the other),
     * bounded by the transaction's timeouts. Answers true, for Connections.begin.
     */
    static final String PERSISTENCE_LOCK = "SELECT true, pg_advisory_xact_lock(?), " + TRANSACTION_TIMEOUTS;

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
