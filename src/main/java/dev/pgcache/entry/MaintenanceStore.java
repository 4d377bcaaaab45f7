package dev.pgcache.entry;

import static dev.pgcache.entry.EntryStatements.*;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The maintenance side of the table, with the statements of {@link EntryStatements}: the purge
 * of gone rows and the eviction of bounded namespaces (each batch one transaction under the
 * transaction-scoped purge lock, so one replica works at a time), the batched flush of hit
 * counts, and the summaries an operator reads (per-namespace counts, the cache_summary view,
 * the table's size on disk).
 */
@ApplicationScoped
public class MaintenanceStore {

    private final Connections db;

    MaintenanceStore(Connections db) {
        this.db = db;
    }

    /** Entry counts by state and bytes, per namespace that has rows. */
    public List<NamespaceCounts> countByNamespace() {
        return db.withConnection("count", c -> {
            try (PreparedStatement ps = db.prepare(c, COUNT_BY_NAMESPACE); ResultSet rs = ps.executeQuery()) {
                List<NamespaceCounts> counts = new ArrayList<>();
                while (rs.next()) {
                    counts.add(new NamespaceCounts(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)));
                }
                return counts;
            }
        });
    }

    /**
     * One purge batch in one transaction: takes the transaction-scoped advisory lock that lets
     * one replica purge at a time, and when it gets it, deletes up to {@code limit} rows past
     * their stale window. Rows another transaction holds are skipped, not waited for.
     */
    public PurgeBatch purgeBatch(long lockKey, int limit) {
        return underPurgeLock("purge", lockKey, c -> {
            Map<String, Long> byNamespace = new HashMap<>();
            try (PreparedStatement ps = db.prepare(c, PURGE_BATCH)) {
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
            try (PreparedStatement ps = db.prepare(c, NAMESPACE_SIZE)) {
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
            try (PreparedStatement ps = db.prepare(c, EVICTION_CUTOFF)) {
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
            try (PreparedStatement ps = db.prepare(c, EVICT_BATCH)) {
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
        return db.withConnection("hit flush", c -> {
            try (PreparedStatement ps = db.prepare(c, RECORD_HITS)) {
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
        return db.withConnection("summary", c -> {
            List<NamespaceSummary> rows = new ArrayList<>();
            try (PreparedStatement ps = db.prepare(c, SUMMARY); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new NamespaceSummary(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getLong(6), Connections.instant(rs, 7), Connections.instant(rs, 8), rs.getLong(9), Connections.instant(rs, 10)));
                }
            }
            return rows;
        });
    }

    /** The session holding the purge lock now, if any: a purge batch is running there. */
    public Optional<LockHolder> purgeLockHolder(long lockKey) {
        return db.withConnection("purge lock holder", c -> {
            try (PreparedStatement ps = db.prepare(c, PURGE_LOCK_HOLDER)) {
                ps.setLong(1, lockKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new LockHolder(rs.getInt(1), rs.getString(2), rs.getString(3), Connections.instant(rs, 4)))
                            : Optional.<LockHolder>empty();
                }
            }
        });
    }

    /** Bytes cache_entry takes on disk with its indexes and TOAST, dead rows included: the measure of bloat. */
    public long tableSizeBytes() {
        return db.withConnection("table size", c -> {
            try (PreparedStatement ps = db.prepare(c, TABLE_SIZE); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /**
     * Runs work in one transaction that first takes the purge lock without waiting; empty, with
     * nothing done, when another session holds it. The lock goes with the transaction.
     */
    private <T> Optional<T> underPurgeLock(String action, long lockKey, Connections.SqlWork<T> work) {
        return db.withConnection(action, c -> {
            try {
                if (!db.begin(c, TRY_PURGE_LOCK, lockKey)) {
                    c.rollback();
                    return Optional.<T>empty();
                }
                T result = work.run(c);
                c.commit();
                return Optional.of(result);
            } catch (SQLException | RuntimeException e) {
                Connections.rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }
}
