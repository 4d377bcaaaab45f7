package dev.pgcache.entry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
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
 * Connections come from the Agroal pool in autocommit mode except for the purge batch, which
 * needs its advisory lock and its delete in one transaction.
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

    /** Deletes one batch of the rows the filter selects; {@code %s} is one of the FILTER_* constants, never caller text. */
    private static final String DELETE_BATCH = """
            WITH doomed AS (
                SELECT namespace, cache_key FROM cache_entry
                WHERE namespace = ? %s
                LIMIT ? FOR UPDATE SKIP LOCKED
            ), deleted AS (
                DELETE FROM cache_entry e USING doomed
                WHERE e.namespace = doomed.namespace AND e.cache_key = doomed.cache_key
                RETURNING (e.expires_at IS NULL OR coalesce(e.stale_until, e.expires_at) > now()) AS live
            )
            SELECT count(*), count(*) FILTER (WHERE live) FROM deleted
            """;
    private static final String FILTER_NONE = "";
    private static final String FILTER_PREFIX_RANGE = "AND cache_key >= ? AND cache_key < ?";
    private static final String FILTER_PREFIX_OPEN = "AND cache_key >= ?";
    private static final String FILTER_TAG = "AND tags @> ARRAY[CAST(? AS text)]";

    private static final String TRY_PURGE_LOCK = "SELECT pg_try_advisory_xact_lock(?)";

    /** Matches cache_entry_purge_idx (same expression, same predicate), so each batch is an index range scan. */
    private static final String PURGE_BATCH = """
            WITH doomed AS (
                SELECT namespace, cache_key FROM cache_entry
                WHERE expires_at IS NOT NULL AND coalesce(stale_until, expires_at) <= now()
                LIMIT ? FOR UPDATE SKIP LOCKED
            ), deleted AS (
                DELETE FROM cache_entry e USING doomed
                WHERE e.namespace = doomed.namespace AND e.cache_key = doomed.cache_key
                RETURNING e.namespace
            )
            SELECT namespace, count(*) FROM deleted GROUP BY namespace
            """;

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
        return withConnection("purge", c -> {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement(TRY_PURGE_LOCK)) {
                    lock.setLong(1, lockKey);
                    try (ResultSet rs = lock.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            c.rollback();
                            return new PurgeBatch(false, Map.of());
                        }
                    }
                }
                Map<String, Long> byNamespace = new HashMap<>();
                try (PreparedStatement ps = c.prepareStatement(PURGE_BATCH)) {
                    ps.setInt(1, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            byNamespace.put(rs.getString(1), rs.getLong(2));
                        }
                    }
                }
                c.commit();
                return new PurgeBatch(true, byNamespace);
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
