package dev.pgcache.entry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    private static final String LIVE = "(expires_at IS NULL OR coalesce(stale_until, expires_at) > now())";

    private static final String UPSERT = """
            WITH prior AS (
                SELECT coalesce(stale_until, expires_at) <= now() AS gone
                FROM cache_entry WHERE namespace = ? AND cache_key = ?
            )
            INSERT INTO cache_entry AS e (namespace, cache_key, value, fetched_at, expires_at, stale_until,
                                          version, revision, size_bytes, tags)
            VALUES (?, ?, CAST(? AS jsonb), now(),
                    now() + CAST(? AS bigint) * interval '1 millisecond',
                    now() + CAST(? AS bigint) * interval '1 millisecond',
                    nextval('cache_entry_version_seq'), ?, ?, CAST(? AS text[]))
            ON CONFLICT (namespace, cache_key) DO UPDATE SET
                value = EXCLUDED.value, fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at,
                stale_until = EXCLUDED.stale_until, version = EXCLUDED.version, revision = EXCLUDED.revision,
                size_bytes = EXCLUDED.size_bytes, tags = EXCLUDED.tags, hit_count = 0, last_hit_at = NULL
            RETURNING e.version, (e.xmax = 0) OR coalesce((SELECT gone FROM prior), false) AS created,
                      e.fetched_at, e.expires_at, e.stale_until
            """;

    private static final String GET = """
            SELECT value::text, version, revision, fetched_at, expires_at, stale_until, now()
            FROM cache_entry
            WHERE namespace = ? AND cache_key = ? AND\s""" + LIVE;

    private static final String DELETE_ONE = """
            DELETE FROM cache_entry WHERE namespace = ? AND cache_key = ?
            RETURNING\s""" + LIVE;

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

    private static final String TRY_PURGE_LOCK = "SELECT pg_try_advisory_xact_lock(?)";

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
     * Inserts or replaces one entry in one statement and returns its new version. The value's
     * lifetime starts at the database's now(); hit counts start again from zero.
     */
    public WriteResult upsert(WriteRequest w) {
        return withConnection("write", c -> {
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                int i = 1;
                ps.setString(i++, w.id().namespace());
                ps.setString(i++, w.id().key());
                ps.setString(i++, w.id().namespace());
                ps.setString(i++, w.id().key());
                ps.setString(i++, w.json());
                setLongOrNull(ps, i++, w.lifetime().expiresInMillis());
                setLongOrNull(ps, i++, w.lifetime().staleUntilInMillis());
                setLongOrNull(ps, i++, w.revision());
                ps.setInt(i++, w.sizeBytes());
                ps.setArray(i, c.createArrayOf("text", w.tags().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new WriteResult(rs.getLong(1), rs.getBoolean(2), instant(rs, 3), instant(rs, 4), instant(rs, 5));
                }
            }
        });
    }

    /** The live entry under the id (fresh or stale), or empty when it is absent or gone. Never writes. */
    public Optional<Entry> get(EntryId id) {
        return withConnection("read", c -> {
            try (PreparedStatement ps = c.prepareStatement(GET)) {
                ps.setString(1, id.namespace());
                ps.setString(2, id.key());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    long revision = rs.getLong(3);
                    Long rev = rs.wasNull() ? null : revision;
                    return Optional.of(new Entry(rs.getString(1), rs.getLong(2), rev, instant(rs, 4), instant(rs, 5),
                            instant(rs, 6), instant(rs, 7)));
                }
            }
        });
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

    private static void setLongOrNull(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
