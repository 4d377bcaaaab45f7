package dev.pgcache.entry;

import static dev.pgcache.entry.EntryStatements.*;
import static dev.pgcache.entry.EvictionStatements.*;
import static dev.pgcache.entry.MaintenanceStatements.*;

import java.sql.Connection;
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

import dev.pgcache.config.EvictionPolicy;

/**
 * The maintenance side of the table, with the statements of {@link MaintenanceStatements} and
 * {@link EvictionStatements}: the purge of gone rows and the eviction of bounded namespaces
 * (each batch one transaction under the transaction-scoped purge lock, so one replica works at a
 * time), the batched flush of hit counts, and the summaries an operator reads (per-namespace
 * counts, the cache_summary view, the table's size on disk).
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
     * Measures a scope (a namespace, or the whole table) against its bounds under the purge lock
     * (so no other replica's eviction batch is half-way while it counts) and, when it is over,
     * finds the cutoff row: the last row eviction must take, in the policy's order. Reads every
     * row of the scope once (the cost of a byte bound) and about as many of its first rows in the
     * queue as are over the bounds, at most {@code limit}: with second chance twice as many (rows
     * read since they were queued count for nothing, since eviction keeps them), with size-aware
     * eviction {@code window} times as many, the window it weighs them in. Empty when another
     * replica holds the lock.
     */
    public Optional<EvictionPlan> planEviction(long lockKey, EvictionScope scope, EvictionPolicy policy, int window, int limit) {
        return underPurgeLock("eviction", lockKey, c -> {
            long rows;
            long bytes;
            try (PreparedStatement ps = db.prepare(c, scope.wholeTable() ? TABLE_ROWS_AND_BYTES : NAMESPACE_SIZE)) {
                if (!scope.wholeTable()) {
                    ps.setString(1, scope.namespace());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    rows = rs.getLong(1);
                    bytes = rs.getLong(2);
                }
            }
            long rowsOver = Math.max(0, rows - scope.maxEntries());
            long bytesOver = Math.max(0, bytes - scope.maxBytes());
            if (rowsOver == 0 && bytesOver == 0) {
                return EvictionPlan.under(scope, policy, rows, bytes);
            }
            // read only as many of the first rows as the excess needs: all rows over max-entries, and
            // twice the average row count for the bytes over max-bytes, twice again where rows may be
            // kept (a plan that falls short is made again)
            long avgBytes = Math.max(1, bytes / Math.max(1, rows));
            long needed = Math.max(rowsOver, bytesOver == 0 ? 0 : 2 * (bytesOver / avgBytes) + 100);
            return switch (policy) {
                case SIZE_AWARE -> planByWeight(c, scope, rows, bytes, rowsOver, bytesOver, needed, (int) Math.min(limit, needed * window));
                case SECOND_CHANCE -> planInQueue(c, scope, policy, rows, bytes, rowsOver, bytesOver, (int) Math.min(limit, 2 * needed + 100));
                case OLDEST_FIRST -> planInQueue(c, scope, policy, rows, bytes, rowsOver, bytesOver, (int) Math.min(limit, needed));
            };
        });
    }

    /** The cutoff row in queue order, reading the queue's first {@code reach} rows (second chance, oldest-first). */
    private EvictionPlan planInQueue(Connection c, EvictionScope scope, EvictionPolicy policy, long rows, long bytes, long rowsOver,
            long bytesOver, int reach) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, scope.wholeTable() ? TABLE_EVICTION_CUTOFF : EVICTION_CUTOFF)) {
            Binder b = new Binder(c, ps).bool(policy == EvictionPolicy.SECOND_CHANCE);
            if (!scope.wholeTable()) {
                b.string(scope.namespace());
            }
            b.integer(reach).longValue(rowsOver).longValue(bytesOver);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new EvictionPlan(scope, policy, rows, bytes, rowsOver, bytesOver, null, null, null, false, null);
                }
                return new EvictionPlan(scope, policy, rows, bytes, rowsOver, bytesOver, rs.getObject(1, OffsetDateTime.class), rs.getString(2),
                        rs.getString(3), rs.getBoolean(4), null);
            }
        }
    }

    /**
     * The cutoff in weight order over the window of the queue's first {@code reach} rows, and the
     * hand: the window's first {@code hand} rows, whose rows read since queued are requeued.
     */
    private EvictionPlan planByWeight(Connection c, EvictionScope scope, long rows, long bytes, long rowsOver, long bytesOver, long hand,
            int reach) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, scope.wholeTable() ? TABLE_WEIGHT_CUTOFF : WEIGHT_CUTOFF)) {
            Binder b = new Binder(c, ps);
            if (!scope.wholeTable()) {
                b.string(scope.namespace());
            }
            b.integer(reach).longValue(rowsOver).longValue(bytesOver).longValue(hand);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new EvictionPlan(scope, EvictionPolicy.SIZE_AWARE, rows, bytes, rowsOver, bytesOver, null, null, null, false, null);
                }
                EvictionPlan.Window window = new EvictionPlan.Window(rs.getDouble(5), place(rs, 6), place(rs, 9), place(rs, 12));
                return new EvictionPlan(scope, EvictionPolicy.SIZE_AWARE, rows, bytes, rowsOver, bytesOver, rs.getObject(1, OffsetDateTime.class),
                        rs.getString(2), rs.getString(3), rs.getBoolean(4), window);
            }
        }
    }

    private static EvictionPlan.Place place(ResultSet rs, int column) throws SQLException {
        return new EvictionPlan.Place(rs.getObject(column, OffsetDateTime.class), rs.getString(column + 1), rs.getString(column + 2));
    }

    /**
     * One eviction batch in one transaction under the purge lock: takes up to {@code limit} of
     * the scope's rows the plan says to take, in queue order, deletes those not kept and sends the
     * kept ones to the back of the queue: with second chance, rows up to the cutoff read since
     * they were queued; with size-aware eviction, rows of the window above the cutoff's weight
     * that the hand reached and that were read since queued. Empty when another replica holds
     * the lock.
     */
    public Optional<EvictionBatch> evictBatch(long lockKey, EvictionPlan plan, int limit) {
        return underPurgeLock("eviction", lockKey, c -> {
            EvictionScope scope = plan.scope();
            int taken;
            String keptCtids;
            Map<String, Long> byNamespace = new HashMap<>();
            long bytes;
            EvictionPlan.Place last = null;
            boolean byWeight = plan.policy() == EvictionPolicy.SIZE_AWARE;
            String sql = byWeight ? (scope.wholeTable() ? TABLE_WEIGHT_EVICT_BATCH : WEIGHT_EVICT_BATCH)
                    : (scope.wholeTable() ? TABLE_EVICT_BATCH : EVICT_BATCH);
            try (PreparedStatement ps = db.prepare(c, sql)) {
                Binder b = new Binder(c, ps);
                if (byWeight) {
                    bindWeightBatch(b, plan);
                } else {
                    bindQueueBatch(b, plan);
                }
                b.integer(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    taken = rs.getInt(1);
                    keptCtids = rs.getString(2);
                    String[] namespaces = (String[]) rs.getArray(3).getArray();
                    Long[] counts = (Long[]) rs.getArray(4).getArray();
                    for (int i = 0; i < namespaces.length; i++) {
                        byNamespace.put(namespaces[i], counts[i]);
                    }
                    bytes = rs.getLong(5);
                    if (byWeight && rs.getObject(6) != null) {
                        last = place(rs, 6);
                    }
                }
            }
            int kept = 0;
            if (!"{}".equals(keptCtids)) {
                try (PreparedStatement ps = db.prepare(c, REQUEUE)) {
                    ps.setString(1, keptCtids);
                    kept = ps.executeUpdate();
                }
            }
            return new EvictionBatch(taken, kept, byNamespace, bytes, plan.startingAt(last));
        });
    }

    /** The parameters of a batch in queue order, but its limit: rows up to the cutoff row. */
    private static void bindQueueBatch(Binder b, EvictionPlan plan) throws SQLException {
        b.bool(plan.policy() == EvictionPolicy.SECOND_CHANCE);
        if (plan.scope().wholeTable()) {
            b.object(plan.cutoffQueuedAt()).string(plan.cutoffNamespace()).string(plan.cutoffKey());
        } else {
            b.string(plan.scope().namespace()).object(plan.cutoffQueuedAt()).string(plan.cutoffKey());
        }
    }

    /** The parameters of a size-aware batch, but its limit: its window, its cutoff weight, its hand. */
    private static void bindWeightBatch(Binder b, EvictionPlan plan) throws SQLException {
        EvictionPlan.Window w = plan.window();
        cutoff(b, plan);
        if (plan.scope().wholeTable()) {
            b.object(w.end().queuedAt()).string(w.end().namespace()).string(w.end().key());
            b.object(w.start().queuedAt()).string(w.start().namespace()).string(w.start().key());
            cutoff(b, plan);
            b.object(w.handEnd().queuedAt()).string(w.handEnd().namespace()).string(w.handEnd().key());
        } else {
            b.string(plan.scope().namespace()).object(w.end().queuedAt()).string(w.end().key());
            b.object(w.start().queuedAt()).string(w.start().key());
            cutoff(b, plan);
            b.object(w.handEnd().queuedAt()).string(w.handEnd().key());
        }
    }

    private static void cutoff(Binder b, EvictionPlan plan) throws SQLException {
        b.doubleValue(plan.window().cutoffWeight()).object(plan.cutoffQueuedAt()).string(plan.cutoffNamespace()).string(plan.cutoffKey());
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
        return db.withConnection(action, c -> db.underLock(c, TRY_PURGE_LOCK, new Object[] {lockKey}, work));
    }
}
