package dev.pgcache.entry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Every SQL statement that reads or writes {@code cache_entry}. Nothing else in pgcache writes
 * SQL for entries, so a reader can check every query against the indexes in one file.
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
 * Connections come from the Agroal pool in autocommit mode except for the purge and eviction
 * work, which needs its advisory lock and its statement in one transaction.
 */
@ApplicationScoped
public class EntryStore {

    /** Rows per statement for invalidations that may touch many rows. */
    static final int INVALIDATION_BATCH = 5_000;

    /**
     * The tag of a negative entry: read-through remembers an upstream 404 as an entry carrying it
     * (its value says what the upstream answered), and answers it as a 404 while it is fresh.
     */
    public static final String NEGATIVE_TAG = "pgcache:negative"; // spelled out in GET and BATCH_GET too

    /**
     * First key of the two-key advisory locks that make one replica load a key at a time. The
     * two-key form never collides with the one-key purge lock; the second key is a hash of
     * namespace and key (a collision only makes two loads of different keys take turns).
     */
    public static final int LOAD_LOCK_CLASS = 0x70676c64; // "pgld"

    private static final String LIVE = "(expires_at IS NULL OR coalesce(stale_until, expires_at) > now())";

    /** The entry as it was before a write, for telling why a refused write was refused (and whether a write created). */
    private static final String PRIOR = """
            prior AS (
                SELECT version, revision, coalesce(stale_until, expires_at) <= now() AS gone
                FROM cache_entry WHERE namespace = ? AND cache_key = ?
            )""";

    /** Joins the write's RETURNING row (absent when refused) with the prior row, so every write answers exactly one row. */
    private static final String WRITE_ANSWER = """
            SELECT w.version, w.inserted OR coalesce(p.gone, false), w.fetched_at, w.expires_at, w.stale_until,
                   p.version, p.revision, p.gone
            FROM (SELECT 1) AS one LEFT JOIN written w ON true LEFT JOIN prior p ON true
            """;

    /**
     * A live stored entry with a higher revision refuses the write; equal or higher wins. A gone
     * entry refuses nothing. Evaluated on the row as locked by ON CONFLICT / UPDATE, so it holds
     * under concurrent writers.
     */
    private static final String REVISION_GUARD = "(e.revision IS NULL OR EXCLUDED.revision IS NULL OR EXCLUDED.revision >= e.revision)";
    private static final String GONE_E = "coalesce(e.stale_until, e.expires_at) <= now()";
    private static final String LIVE_E = "(e.expires_at IS NULL OR coalesce(e.stale_until, e.expires_at) > now())";

    /**
     * Insert or replace; {@code %s} is one of the IF_NONE_MATCH_* fragments, never caller text.
     * The replacing branch draws its version in SET, after the row lock is held, so a key's
     * versions rise in commit order (a version drawn in VALUES would predate the lock wait).
     */
    private static final String UPSERT = "WITH " + PRIOR + """
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
                    size_bytes = EXCLUDED.size_bytes, tags = EXCLUDED.tags, hit_count = 0, last_hit_at = NULL
                WHERE\s""" + GONE_E + " OR (" + REVISION_GUARD + """
             %s)
                RETURNING e.version, (e.xmax = 0) AS inserted, e.fetched_at, e.expires_at, e.stale_until
            )
            """ + WRITE_ANSWER;
    private static final String IF_NONE_MATCH_NONE = "";
    private static final String IF_NONE_MATCH_ANY = "AND false";
    private static final String IF_NONE_MATCH_VERSIONS = "AND e.version <> ALL(CAST(? AS bigint[]))";

    /** Replace only a live entry (If-Match); {@code %s} is IF_MATCH_ANY or IF_MATCH_VERSIONS, never caller text. */
    private static final String REPLACE_IF_MATCH = "WITH " + PRIOR + """
            , written AS (
                UPDATE cache_entry AS e SET
                    value = CAST(? AS jsonb), fetched_at = now(),
                    expires_at = now() + CAST(? AS bigint) * interval '1 millisecond',
                    stale_until = now() + CAST(? AS bigint) * interval '1 millisecond',
                    version = nextval('cache_entry_version_seq'), revision = CAST(? AS bigint), size_bytes = ?,
                    tags = CAST(? AS text[]), hit_count = 0, last_hit_at = NULL
                WHERE e.namespace = ? AND e.cache_key = ? AND\s""" + LIVE_E + """
                  AND (e.revision IS NULL OR CAST(? AS bigint) IS NULL OR CAST(? AS bigint) >= e.revision) %s
                RETURNING e.version, false AS inserted, e.fetched_at, e.expires_at, e.stale_until
            )
            """ + WRITE_ANSWER;
    private static final String IF_MATCH_ANY = "";
    private static final String IF_MATCH_VERSIONS = "AND e.version = ANY(CAST(? AS bigint[]))";

    /** Many upserts in one statement; answers one row per input, in input order, refused ones with a null version. */
    private static final String BATCH_UPSERT = """
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
                    size_bytes = EXCLUDED.size_bytes, tags = EXCLUDED.tags, hit_count = 0, last_hit_at = NULL
                WHERE\s""" + GONE_E + " OR " + REVISION_GUARD + """

                RETURNING e.cache_key, e.version, (e.xmax = 0) AS inserted, e.fetched_at, e.expires_at, e.stale_until
            )
            SELECT i.cache_key, w.version, w.inserted OR coalesce(p.gone, false), w.fetched_at, w.expires_at, w.stale_until,
                   CASE WHEN coalesce(p.gone, true) THEN NULL ELSE p.revision END
            FROM input i
            LEFT JOIN written w ON w.cache_key = i.cache_key COLLATE "C"
            LEFT JOIN prior p ON p.cache_key = i.cache_key COLLATE "C"
            ORDER BY i.ord
            """;

    /** Extends a live entry's life without rewriting its value; the version stays, since the value did not change. */
    private static final String TOUCH = """
            UPDATE cache_entry AS e SET
                expires_at = now() + CAST(? AS bigint) * interval '1 millisecond',
                stale_until = now() + CAST(? AS bigint) * interval '1 millisecond'
            WHERE e.namespace = ? AND e.cache_key = ? AND\s""" + LIVE_E + """

            RETURNING e.version, e.fetched_at, e.expires_at, e.stale_until
            """;

    private static final String GET = """
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
    private static final String BATCH_GET = """
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
    private static final String GET_EACH = """
            SELECT e.value::text, e.version, e.revision, e.fetched_at, e.expires_at, e.stale_until, now(),
                   coalesce(e.tags @> ARRAY['pgcache:negative'], false)
            FROM unnest(CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS k(namespace, cache_key, ord)
            LEFT JOIN cache_entry e ON e.namespace = k.namespace COLLATE "C" AND e.cache_key = k.cache_key COLLATE "C"
                AND\s""" + LIVE_E + """

            ORDER BY k.ord
            """;

    /** One page of live keys after a cursor, in key order; {@code %s} is LIST_* below, never caller text. Keyset paging stays stable under writes. */
    private static final String LIST_KEYS = """
            SELECT cache_key, version, revision, fetched_at, expires_at, stale_until, size_bytes, tags, hit_count, now()
            FROM cache_entry e
            WHERE namespace = ? AND cache_key > ? %s AND\s""" + LIVE_E + """

            ORDER BY cache_key
            LIMIT ?
            """;
    private static final String LIST_ALL = "";
    private static final String LIST_PREFIX_RANGE = "AND cache_key >= ? AND cache_key < ?";
    private static final String LIST_PREFIX_OPEN = "AND cache_key >= ?";

    /** Row counts per namespace by state. Scans the table: for the admin API, not for hot paths. */
    private static final String COUNT_BY_NAMESPACE = """
            SELECT namespace, count(*),
                   count(*) FILTER (WHERE expires_at IS NULL OR expires_at > now()),
                   count(*) FILTER (WHERE expires_at <= now() AND stale_until > now()),
                   count(*) FILTER (WHERE coalesce(stale_until, expires_at) <= now()),
                   coalesce(sum(size_bytes), 0)
            FROM cache_entry
            GROUP BY namespace
            ORDER BY namespace
            """;

    private static final String DELETE_ONE = """
            DELETE FROM cache_entry WHERE namespace = ? AND cache_key = ?
            RETURNING\s""" + LIVE;

    /** Deletes only when the live entry has one of the versions (If-Match); answers whether it did. */
    private static final String DELETE_IF_MATCH = """
            DELETE FROM cache_entry AS e
            WHERE e.namespace = ? AND e.cache_key = ? AND e.version = ANY(CAST(? AS bigint[])) AND\s""" + LIVE_E + """

            RETURNING true
            """;

    /**
     * Deletes one batch of the rows the filter selects; {@code %s} is one of the FILTER_* constants, never caller text.
     * The rows are picked and locked in the array subquery and deleted by their ctid (see {@link #PURGE_BATCH} for why).
     */
    private static final String DELETE_BATCH = """
            WITH deleted AS (
                DELETE FROM cache_entry WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM cache_entry
                    WHERE namespace = ? %s
                    LIMIT ? FOR UPDATE SKIP LOCKED))
                RETURNING (expires_at IS NULL OR coalesce(stale_until, expires_at) > now()) AS live
            )
            SELECT count(*), count(*) FILTER (WHERE live) FROM deleted
            """;
    private static final String FILTER_NONE = "";
    private static final String FILTER_PREFIX_RANGE = "AND cache_key >= ? AND cache_key < ?";
    private static final String FILTER_PREFIX_OPEN = "AND cache_key >= ?";
    private static final String FILTER_TAG = "AND tags @> ARRAY[CAST(? AS text)]";
    /** Entries about a block at or above a height (revision = block number): what a chain re-org there makes wrong. */
    private static final String FILTER_REVISION_FROM = "AND revision >= CAST(? AS bigint)";

    private static final String TRY_PURGE_LOCK = "SELECT pg_try_advisory_xact_lock(?)";

    /** namespace || '/' || key names one entry unambiguously: a namespace never holds '/'. */
    private static final String TRY_LOAD_LOCK = "SELECT pg_try_advisory_lock(?, hashtext(? || '/' || ?))";
    private static final String LOAD_UNLOCK = "SELECT pg_advisory_unlock(?, hashtext(? || '/' || ?))";

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
     * for every batch, 1.3 s per batch at a million rows (docs/benchmarks.md). The ctids are of
     * row versions this statement has locked, so no other transaction can move them before the
     * delete.
     */
    private static final String PURGE_BATCH = """
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
     */
    private static final String RECORD_HITS = """
            UPDATE cache_entry e
            SET hit_count = e.hit_count + u.n, last_hit_at = greatest(e.last_hit_at, u.t)
            FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS bigint[]),
                        CAST(? AS timestamptz[])) AS u(ns, k, v, n, t)
            WHERE e.namespace = u.ns AND e.cache_key = u.k AND e.version = u.v
            """;

    /** All rows of one namespace, whatever their state: what its bounds are measured against. */
    private static final String NAMESPACE_SIZE = """
            SELECT count(*), coalesce(sum(size_bytes), 0) FROM cache_entry WHERE namespace = ?
            """;

    /**
     * The newest row eviction must remove, in eviction order (fetched_at, then key, as
     * cache_entry_eviction_idx holds them): the first of the namespace's oldest rows at which
     * at least {@code rows} rows and {@code bytes} bytes are counted; when the first
     * {@code limit} rows are not enough, the last of them (the rest waits for the next run).
     */
    private static final String EVICTION_CUTOFF = """
            WITH oldest AS (
                SELECT fetched_at, cache_key, row_number() OVER w AS n, sum(size_bytes) OVER w AS bytes
                FROM (SELECT fetched_at, cache_key, size_bytes FROM cache_entry
                      WHERE namespace = ?
                      ORDER BY fetched_at, cache_key
                      LIMIT ?) AS o
                WINDOW w AS (ORDER BY fetched_at, cache_key ROWS UNBOUNDED PRECEDING)
            ), marked AS (
                SELECT fetched_at, cache_key, n, (n >= ? AND bytes >= ?) AS enough FROM oldest
            )
            SELECT fetched_at, cache_key, enough FROM marked
            ORDER BY enough DESC, CASE WHEN enough THEN n ELSE -n END
            LIMIT 1
            """;

    /**
     * Evicts up to {@code limit} of the namespace's rows at or before the cutoff row, oldest
     * first (an index range on cache_entry_eviction_idx). Rows a writer holds are skipped, not
     * waited for; deleted by ctid like {@link #PURGE_BATCH}. Because the batch is bounded by a
     * row, not by a count, running it again, or from another replica with its own cutoff taken
     * after this one's batches, removes nothing more than needed.
     */
    private static final String EVICT_BATCH = """
            WITH deleted AS (
                DELETE FROM cache_entry WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM cache_entry
                    WHERE namespace = ? AND (fetched_at, cache_key) <= (?, ?)
                    ORDER BY fetched_at, cache_key
                    LIMIT ? FOR UPDATE SKIP LOCKED))
                RETURNING size_bytes
            )
            SELECT count(*), coalesce(sum(size_bytes), 0) FROM deleted
            """;

    private static final String SUMMARY = """
            SELECT namespace, entries, fresh, stale, gone, total_bytes, oldest_fetched_at, newest_fetched_at, hits, last_hit_at
            FROM cache_summary ORDER BY namespace
            """;

    /** Heap, indexes and TOAST of cache_entry on disk; a catalog lookup, no scan. */
    private static final String TABLE_SIZE = "SELECT pg_total_relation_size(CAST('cache_entry' AS regclass))";

    private final DataSource dataSource;

    EntryStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Inserts or replaces one entry in one statement, unless its precondition or the revision
     * rule refuses it. The value's lifetime starts at the database's now(); hit counts start
     * again from zero.
     */
    public WriteOutcome upsert(WriteRequest w) {
        return withConnection("write", c -> upsert(c, w));
    }

    private WriteOutcome upsert(Connection c, WriteRequest w) throws SQLException {
        String sql;
        WritePrecondition pre = w.precondition();
        if (pre instanceof WritePrecondition.IfMatch ifMatch) {
            sql = REPLACE_IF_MATCH.formatted(ifMatch.versions().isEmpty() ? IF_MATCH_ANY : IF_MATCH_VERSIONS);
        } else if (pre instanceof WritePrecondition.IfNoneMatch ifNone) {
            sql = UPSERT.formatted(ifNone.versions().isEmpty() ? IF_NONE_MATCH_ANY : IF_NONE_MATCH_VERSIONS);
        } else {
            sql = UPSERT.formatted(IF_NONE_MATCH_NONE);
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Binder b = new Binder(c, ps).string(w.id().namespace()).string(w.id().key());
            if (pre instanceof WritePrecondition.IfMatch ifMatch) {
                b.string(w.json()).longOrNull(w.lifetime().expiresInMillis()).longOrNull(w.lifetime().staleUntilInMillis())
                        .longOrNull(w.revision()).integer(w.sizeBytes()).textArray(w.tags())
                        .string(w.id().namespace()).string(w.id().key())
                        .longOrNull(w.revision()).longOrNull(w.revision());
                if (!ifMatch.versions().isEmpty()) {
                    b.bigintArray(ifMatch.versions());
                }
            } else {
                b.string(w.id().namespace()).string(w.id().key()).string(w.json())
                        .longOrNull(w.lifetime().expiresInMillis()).longOrNull(w.lifetime().staleUntilInMillis())
                        .longOrNull(w.revision()).integer(w.sizeBytes()).textArray(w.tags());
                if (pre instanceof WritePrecondition.IfNoneMatch ifNone && !ifNone.versions().isEmpty()) {
                    b.bigintArray(ifNone.versions());
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long version = rs.getLong(1);
                if (!rs.wasNull()) {
                    return new WriteOutcome.Written(new WriteResult(version, rs.getBoolean(2), instant(rs, 3), instant(rs, 4), instant(rs, 5)));
                }
            }
        }
        return refusal(c, w);
    }

    /** What a loader may do while it holds the load lock of one entry: read and write it on the lock's connection. */
    public interface LockedEntry {
        /** The live entry, read again now (another replica may have just written it). */
        Optional<Entry> get();

        /** {@link #upsert(WriteRequest)} on the lock's connection. */
        WriteOutcome upsert(WriteRequest w);
    }

    /** Work done under a load lock; it may call an upstream, which is why the lock is held. */
    @FunctionalInterface
    public interface LoadWork<T> {
        T run(LockedEntry locked);
    }

    /**
     * Runs the work while holding the cross-replica load lock of the entry, or returns empty at
     * once when another session holds it. The lock is a session-level advisory lock, taken on a
     * pooled connection that stays out of the pool until the work ends, and every statement
     * autocommits: no transaction stays open (and no snapshot holds back vacuum) while the work
     * waits on an upstream, and a write's now() is the time of the write. The lock is released in
     * a finally; when that fails the connection is aborted, so a pooled session can never keep it.
     */
    public <T> Optional<T> underLoadLock(EntryId id, LoadWork<T> work) {
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw new StoreUnavailableException("no database connection for load lock: " + e.getMessage(), e);
        }
        boolean locked = false;
        try {
            try (PreparedStatement ps = c.prepareStatement(TRY_LOAD_LOCK)) {
                new Binder(c, ps).integer(LOAD_LOCK_CLASS).string(id.namespace()).string(id.key());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    locked = rs.getBoolean(1);
                }
            }
            if (!locked) {
                return Optional.empty();
            }
            return Optional.of(work.run(new LockedEntry() {
                @Override
                public Optional<Entry> get() {
                    try {
                        return read(c, id);
                    } catch (SQLException e) {
                        throw SqlErrors.translate("read", e);
                    }
                }

                @Override
                public WriteOutcome upsert(WriteRequest w) {
                    try {
                        return EntryStore.this.upsert(c, w);
                    } catch (SQLException e) {
                        throw SqlErrors.translate("write", e);
                    }
                }
            }));
        } catch (SQLException e) {
            throw SqlErrors.translate("load lock", e);
        } finally {
            release(c, id, locked);
        }
    }

    private static void release(Connection c, EntryId id, boolean locked) {
        boolean clean = !locked;
        if (locked) {
            try (PreparedStatement ps = c.prepareStatement(LOAD_UNLOCK)) {
                new Binder(c, ps).integer(LOAD_LOCK_CLASS).string(id.namespace()).string(id.key());
                try (ResultSet rs = ps.executeQuery()) {
                    clean = rs.next() && rs.getBoolean(1);
                }
            } catch (SQLException | RuntimeException e) {
                clean = false;
            }
        }
        try {
            if (!clean) {
                // the session may still hold the lock: end it rather than hand it back to the pool
                c.abort(Runnable::run);
            }
            c.close();
        } catch (SQLException ignored) {
            // nothing more can be done; a broken connection is dropped by the pool and the server ends its session
        }
    }

    private static Optional<Entry> read(Connection c, EntryId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(GET)) {
            ps.setString(1, id.namespace());
            ps.setString(2, id.key());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Why a write was refused, judged from the entry as it is now (a concurrent writer may have
     * changed it since the statement's snapshot). Only an explanation: nothing is written here.
     */
    private WriteOutcome refusal(Connection c, WriteRequest w) throws SQLException {
        Entry current = null;
        try (PreparedStatement ps = c.prepareStatement(GET)) {
            ps.setString(1, w.id().namespace());
            ps.setString(2, w.id().key());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    current = entry(rs);
                }
            }
        }
        Long storedRevision = current == null ? null : current.revision();
        if (w.precondition() instanceof WritePrecondition.None
                || w.revision() != null && storedRevision != null && storedRevision > w.revision()) {
            // without a precondition only the revision rule refuses a write
            return new WriteOutcome.RevisionConflict(storedRevision);
        }
        return new WriteOutcome.PreconditionFailed(current == null ? null : current.version());
    }

    /**
     * Upserts without a precondition (see WriteCoalescer), each answered as {@link #upsert} would
     * answer it, in as few statements as possible: one per namespace, with each key once per
     * statement (a key written twice goes into a later statement, so the later write wins) and
     * the keys in order, so that concurrent statements lock rows in the same order and cannot
     * deadlock each other.
     */
    public List<WriteOutcome> upsertEach(List<WriteRequest> writes) {
        WriteOutcome[] outcomes = new WriteOutcome[writes.size()];
        Map<String, List<Integer>> pending = new LinkedHashMap<>(); // namespace -> positions, in order of arrival
        for (int i = 0; i < writes.size(); i++) {
            if (!(writes.get(i).precondition() instanceof WritePrecondition.None)) {
                throw new IllegalArgumentException("upsertEach writes without a precondition only");
            }
            pending.computeIfAbsent(writes.get(i).id().namespace(), ns -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<String, List<Integer>> namespace : pending.entrySet()) {
            List<Integer> left = namespace.getValue();
            while (!left.isEmpty()) {
                TreeMap<String, Integer> round = new TreeMap<>(); // key -> position, in key order
                List<Integer> later = new ArrayList<>();
                for (int i : left) {
                    if (round.putIfAbsent(writes.get(i).id().key(), i) != null) {
                        later.add(i);
                    }
                }
                List<BatchWrite> batch = new ArrayList<>(round.size());
                for (int i : round.values()) {
                    WriteRequest w = writes.get(i);
                    batch.add(new BatchWrite(w.id().key(), w.json(), w.sizeBytes(), w.lifetime(), w.tags(), w.revision()));
                }
                List<BatchWriteResult> results = upsertAll(namespace.getKey(), batch);
                int r = 0;
                for (int i : round.values()) {
                    BatchWriteResult result = results.get(r++);
                    outcomes[i] = result.written() ? new WriteOutcome.Written(result.result())
                            : new WriteOutcome.RevisionConflict(result.storedRevision());
                }
                left = later;
            }
        }
        return List.of(outcomes);
    }

    /**
     * Upserts many entries of one namespace in one statement. Keys must be distinct. An entry
     * whose revision is lower than the stored live one's is refused; the others are written.
     * Atomic: if PostgreSQL refuses any value, nothing is written.
     */
    public List<BatchWriteResult> upsertAll(String namespace, List<BatchWrite> writes) {
        return withConnection("batch write", c -> {
            List<String> keys = new ArrayList<>(writes.size());
            List<String> values = new ArrayList<>(writes.size());
            List<Long> expires = new ArrayList<>(writes.size());
            List<Long> staleUntil = new ArrayList<>(writes.size());
            List<Long> revisions = new ArrayList<>(writes.size());
            List<Integer> sizes = new ArrayList<>(writes.size());
            List<String> tags = new ArrayList<>(writes.size());
            for (BatchWrite w : writes) {
                keys.add(w.key());
                values.add(w.json());
                expires.add(w.lifetime().expiresInMillis());
                staleUntil.add(w.lifetime().staleUntilInMillis());
                revisions.add(w.revision());
                sizes.add(w.sizeBytes());
                tags.add(jsonArrayOf(w.tags()));
            }
            try (PreparedStatement ps = c.prepareStatement(BATCH_UPSERT)) {
                new Binder(c, ps).textArray(keys).textArray(values).bigintArray(expires).bigintArray(staleUntil)
                        .bigintArray(revisions).intArray(sizes).textArray(tags)
                        .string(namespace).string(namespace);
                List<BatchWriteResult> results = new ArrayList<>(writes.size());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long version = rs.getLong(2);
                        WriteResult written = rs.wasNull() ? null
                                : new WriteResult(version, rs.getBoolean(3), instant(rs, 4), instant(rs, 5), instant(rs, 6));
                        results.add(new BatchWriteResult(rs.getString(1), written, written == null ? nullableLong(rs, 7) : null));
                    }
                }
                return results;
            }
        });
    }

    /** Gives a live entry a new lifetime from now, keeping its value and version; empty when there is no live entry. */
    public Optional<WriteResult> touch(EntryId id, Lifetime lifetime) {
        return withConnection("touch", c -> {
            try (PreparedStatement ps = c.prepareStatement(TOUCH)) {
                new Binder(c, ps).longOrNull(lifetime.expiresInMillis()).longOrNull(lifetime.staleUntilInMillis())
                        .string(id.namespace()).string(id.key());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new WriteResult(rs.getLong(1), false, instant(rs, 2), instant(rs, 3), instant(rs, 4)));
                }
            }
        });
    }

    /** The live entry under the id (fresh or stale), or empty when it is absent or gone. Never writes. */
    public Optional<Entry> get(EntryId id) {
        return withConnection("read", c -> read(c, id));
    }

    /**
     * The live entries under the keys, in the order asked (empty where absent or gone), in one
     * round trip, when their values fit {@code maxValueBytes}; otherwise only how many bytes they
     * would take, and no value is read. Keys should be distinct: each stands for
     * {@code copies.get(i)} copies of its value in the caller's answer (1 for each when null).
     */
    public BatchRead getAll(String namespace, List<String> keys, List<Integer> copies, long maxValueBytes) {
        List<Integer> counts = copies != null ? copies : Collections.nCopies(keys.size(), 1);
        return withConnection("batch read", c -> {
            try (PreparedStatement ps = c.prepareStatement(BATCH_GET)) {
                new Binder(c, ps).longOrNull(maxValueBytes).textArray(keys).intArray(counts).string(namespace);
                List<Optional<Entry>> entries = new ArrayList<>(keys.size());
                long valueBytes = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        valueBytes = rs.getLong(9);
                        if (valueBytes > maxValueBytes) {
                            return BatchRead.tooLarge(valueBytes);
                        }
                        rs.getLong(2);
                        entries.add(rs.wasNull() ? Optional.empty() : Optional.of(entry(rs)));
                    }
                }
                return BatchRead.of(entries, valueBytes);
            }
        });
    }

    /** The live entries under the ids (any namespaces), in the order asked (empty where absent or gone), in one round trip. */
    public List<Optional<Entry>> getEach(List<EntryId> ids) {
        if (ids.size() == 1) {
            return List.of(get(ids.get(0)));
        }
        List<String> namespaces = new ArrayList<>(ids.size());
        List<String> keys = new ArrayList<>(ids.size());
        for (EntryId id : ids) {
            namespaces.add(id.namespace());
            keys.add(id.key());
        }
        return withConnection("read", c -> {
            try (PreparedStatement ps = c.prepareStatement(GET_EACH)) {
                new Binder(c, ps).textArray(namespaces).textArray(keys);
                return entriesInOrder(ps, ids.size());
            }
        });
    }

    /**
     * Up to {@code limit} live keys after {@code after} (exclusive; null to start at the
     * beginning), optionally only those starting with {@code prefix}, in key order.
     */
    public KeyListing list(String namespace, String prefix, String after, int limit) {
        Optional<String> upper = prefix == null ? Optional.empty() : KeyRange.upperBoundOf(prefix);
        String filter = prefix == null ? LIST_ALL : upper.isPresent() ? LIST_PREFIX_RANGE : LIST_PREFIX_OPEN;
        return withConnection("list", c -> {
            try (PreparedStatement ps = c.prepareStatement(LIST_KEYS.formatted(filter))) {
                Binder b = new Binder(c, ps).string(namespace).string(after == null ? "" : after);
                if (prefix != null) {
                    b.string(prefix);
                    if (upper.isPresent()) {
                        b.string(upper.get());
                    }
                }
                b.integer(limit + 1);
                List<KeyListing.Item> items = new ArrayList<>(limit);
                boolean more = false;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (items.size() == limit) {
                            more = true;
                            break;
                        }
                        Instant now = instant(rs, 10);
                        Instant expiresAt = instant(rs, 5);
                        Freshness f = expiresAt == null || expiresAt.isAfter(now) ? Freshness.FRESH : Freshness.STALE;
                        String[] tags = (String[]) rs.getArray(8).getArray();
                        items.add(new KeyListing.Item(rs.getString(1), rs.getLong(2), nullableLong(rs, 3), f, instant(rs, 4),
                                expiresAt, instant(rs, 6), rs.getInt(7), List.of(tags), rs.getLong(9)));
                    }
                }
                return new KeyListing(items, more ? items.get(items.size() - 1).key() : null);
            }
        });
    }

    /** Entry counts by state and bytes, per namespace that has rows. */
    public List<NamespaceCounts> countByNamespace() {
        return withConnection("count", c -> {
            try (PreparedStatement ps = c.prepareStatement(COUNT_BY_NAMESPACE); ResultSet rs = ps.executeQuery()) {
                List<NamespaceCounts> counts = new ArrayList<>();
                while (rs.next()) {
                    counts.add(new NamespaceCounts(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)));
                }
                return counts;
            }
        });
    }

    /** Deletes the live entry only when its version is one of these (If-Match); returns whether it did. */
    public boolean invalidateIfMatch(EntryId id, Set<Long> versions) {
        return withConnection("invalidate", c -> {
            try (PreparedStatement ps = c.prepareStatement(DELETE_IF_MATCH)) {
                new Binder(c, ps).string(id.namespace()).string(id.key()).bigintArray(versions);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** The rows of a many-key read (GET_EACH), one per key asked: an entry, or empty where the version is null. */
    private static List<Optional<Entry>> entriesInOrder(PreparedStatement ps, int expected) throws SQLException {
        List<Optional<Entry>> entries = new ArrayList<>(expected);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rs.getLong(2);
                entries.add(rs.wasNull() ? Optional.empty() : Optional.of(entry(rs)));
            }
        }
        return entries;
    }

    private static Entry entry(ResultSet rs) throws SQLException {
        return new Entry(rs.getString(1), rs.getLong(2), nullableLong(rs, 3), instant(rs, 4), instant(rs, 5), instant(rs, 6), instant(rs, 7),
                rs.getBoolean(8));
    }

    /** Deletes one entry. Returns true when a live entry was deleted (a gone row is deleted too but does not count). */
    public boolean invalidate(EntryId id) {
        return withConnection("invalidate", c -> {
            try (PreparedStatement ps = c.prepareStatement(DELETE_ONE)) {
                ps.setString(1, id.namespace());
                ps.setString(2, id.key());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            }
        });
    }

    /** Deletes every entry of the namespace whose key starts with the prefix; returns how many live entries went. */
    public long invalidatePrefix(String namespace, String prefix) {
        Optional<String> upper = KeyRange.upperBoundOf(prefix);
        if (upper.isPresent()) {
            return deleteInBatches(FILTER_PREFIX_RANGE, namespace, prefix, upper.get());
        }
        return deleteInBatches(FILTER_PREFIX_OPEN, namespace, prefix);
    }

    /** Deletes every entry of the namespace carrying the tag; returns how many live entries went. */
    public long invalidateTag(String namespace, String tag) {
        return deleteInBatches(FILTER_TAG, namespace, tag);
    }

    /**
     * Deletes every entry of the namespace whose revision is at least {@code revision}, in bounded
     * batches; returns how many live entries went. The JSON-RPC proxy stores the block number an
     * answer depends on as its revision, so after a re-org from height h this removes every cached
     * answer about blocks h and above (finalized answers are never above a re-org's height).
     */
    public long invalidateRevisionsFrom(String namespace, long revision) {
        return deleteInBatches(FILTER_REVISION_FROM, namespace, Long.toString(revision));
    }

    /** Deletes every entry of the namespace; returns how many live entries went. */
    public long invalidateNamespace(String namespace) {
        return deleteInBatches(FILTER_NONE, namespace);
    }

    /**
     * One purge batch in one transaction: takes the transaction-scoped advisory lock that lets
     * one replica purge at a time, and when it gets it, deletes up to {@code limit} rows past
     * their stale window. Rows another transaction holds are skipped, not waited for.
     */
    public PurgeBatch purgeBatch(long lockKey, int limit) {
        return underPurgeLock("purge", lockKey, c -> {
            Map<String, Long> byNamespace = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(PURGE_BATCH)) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        byNamespace.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            return new PurgeBatch(true, byNamespace);
        }).orElseGet(() -> new PurgeBatch(false, Map.of()));
    }

    /**
     * Measures one namespace against its bounds under the purge lock (so no other replica's
     * eviction batch is half-way while it counts) and, when it is over, finds the cutoff row:
     * the newest row that must go. Reads every row of the namespace once (the cost of a byte
     * bound) and about as many of its oldest rows as are over the bounds, at most {@code limit}.
     * Empty when another replica holds the lock.
     */
    public Optional<EvictionPlan> planEviction(long lockKey, String namespace, long maxEntries, long maxBytes, int limit) {
        return underPurgeLock("eviction", lockKey, c -> {
            long rows;
            long bytes;
            try (PreparedStatement ps = c.prepareStatement(NAMESPACE_SIZE)) {
                ps.setString(1, namespace);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    rows = rs.getLong(1);
                    bytes = rs.getLong(2);
                }
            }
            long rowsOver = Math.max(0, rows - maxEntries);
            long bytesOver = Math.max(0, bytes - maxBytes);
            if (rowsOver == 0 && bytesOver == 0) {
                return new EvictionPlan(rows, bytes, 0, 0, null, null, true);
            }
            // read only as many of the oldest rows as the excess needs: all rows over max-entries, and
            // twice the average row count for the bytes over max-bytes (a plan that falls short is made again)
            long avgBytes = Math.max(1, bytes / Math.max(1, rows));
            long needed = Math.max(rowsOver, bytesOver == 0 ? 0 : 2 * (bytesOver / avgBytes) + 100);
            try (PreparedStatement ps = c.prepareStatement(EVICTION_CUTOFF)) {
                ps.setString(1, namespace);
                ps.setInt(2, (int) Math.min(limit, needed));
                ps.setLong(3, rowsOver);
                ps.setLong(4, bytesOver);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return new EvictionPlan(rows, bytes, rowsOver, bytesOver, null, null, false);
                    }
                    return new EvictionPlan(rows, bytes, rowsOver, bytesOver, rs.getObject(1, OffsetDateTime.class), rs.getString(2),
                            rs.getBoolean(3));
                }
            }
        });
    }

    /**
     * One eviction batch in one transaction under the purge lock: removes up to {@code limit}
     * of the namespace's rows at or before the plan's cutoff, oldest first. Empty when another
     * replica holds the lock.
     */
    public Optional<NamespaceSize> evictBatch(long lockKey, EvictionPlan plan, String namespace, int limit) {
        return underPurgeLock("eviction", lockKey, c -> {
            try (PreparedStatement ps = c.prepareStatement(EVICT_BATCH)) {
                ps.setString(1, namespace);
                ps.setObject(2, plan.cutoffFetchedAt());
                ps.setString(3, plan.cutoffKey());
                ps.setInt(4, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new NamespaceSize(rs.getLong(1), rs.getLong(2));
                }
            }
        });
    }

    /**
     * Adds hits counted in memory to their entries, in one statement; returns how many entries
     * were updated (entries deleted or rewritten since their read are not).
     */
    public int recordHits(List<Hit> hits) {
        if (hits.isEmpty()) {
            return 0;
        }
        int n = hits.size();
        String[] namespaces = new String[n];
        String[] keys = new String[n];
        Long[] versions = new Long[n];
        Long[] counts = new Long[n];
        String[] times = new String[n];
        for (int i = 0; i < n; i++) {
            Hit h = hits.get(i);
            namespaces[i] = h.id().namespace();
            keys[i] = h.id().key();
            versions[i] = h.version();
            counts[i] = h.count();
            times[i] = h.lastHitAt().toString(); // ISO-8601 in UTC, which timestamptz reads exactly
        }
        return withConnection("hit flush", c -> {
            try (PreparedStatement ps = c.prepareStatement(RECORD_HITS)) {
                ps.setArray(1, c.createArrayOf("text", namespaces));
                ps.setArray(2, c.createArrayOf("text", keys));
                ps.setArray(3, c.createArrayOf("bigint", versions));
                ps.setArray(4, c.createArrayOf("bigint", counts));
                ps.setArray(5, c.createArrayOf("text", times));
                return ps.executeUpdate();
            }
        });
    }

    /** The cache_summary view: one row per namespace with rows. Scans the table once. */
    public List<NamespaceSummary> summary() {
        return withConnection("summary", c -> {
            List<NamespaceSummary> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SUMMARY); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new NamespaceSummary(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getLong(6), instant(rs, 7), instant(rs, 8), rs.getLong(9), instant(rs, 10)));
                }
            }
            return rows;
        });
    }

    /** Bytes cache_entry takes on disk with its indexes and TOAST, dead rows included: the measure of bloat. */
    public long tableSizeBytes() {
        return withConnection("table size", c -> {
            try (PreparedStatement ps = c.prepareStatement(TABLE_SIZE); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /**
     * Runs work in one transaction that first takes the purge lock without waiting; empty, with
     * nothing done, when another session holds it. The lock goes with the transaction.
     */
    private <T> Optional<T> underPurgeLock(String action, long lockKey, SqlWork<T> work) {
        return withConnection(action, c -> {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement(TRY_PURGE_LOCK)) {
                    lock.setLong(1, lockKey);
                    try (ResultSet rs = lock.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            c.rollback();
                            return Optional.<T>empty();
                        }
                    }
                }
                T result = work.run(c);
                c.commit();
                return Optional.of(result);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    private long deleteInBatches(String filter, String namespace, String... filterArgs) {
        String sql = DELETE_BATCH.formatted(filter);
        long live = 0;
        while (true) {
            long[] counts = withConnection("invalidate", c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int i = 1;
                    ps.setString(i++, namespace);
                    for (String arg : filterArgs) {
                        ps.setString(i++, arg);
                    }
                    ps.setInt(i, INVALIDATION_BATCH);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return new long[] { rs.getLong(1), rs.getLong(2) };
                    }
                }
            });
            live += counts[1];
            if (counts[0] < INVALIDATION_BATCH) {
                return live;
            }
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T withConnection(String action, SqlWork<T> work) {
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw new StoreUnavailableException("no database connection for " + action + ": " + e.getMessage(), e);
        }
        try (c) {
            return work.run(c);
        } catch (SQLException e) {
            throw SqlErrors.translate(action, e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it and the server rolls back on disconnect
        }
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /** Tags travel to the batch statement as one JSON array per entry, since SQL arrays cannot be ragged. */
    private static String jsonArrayOf(List<String> tags) {
        StringBuilder b = new StringBuilder("[");
        for (String t : tags) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"');
            for (int i = 0; i < t.length(); i++) {
                char ch = t.charAt(i);
                if (ch == '"' || ch == '\\') {
                    b.append('\\').append(ch);
                } else if (ch < 0x20) {
                    b.append(String.format("\\u%04x", (int) ch));
                } else {
                    b.append(ch);
                }
            }
            b.append('"');
        }
        return b.append(']').toString();
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
