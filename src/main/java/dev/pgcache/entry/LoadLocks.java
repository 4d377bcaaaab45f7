package dev.pgcache.entry;

import static dev.pgcache.entry.EntryStatements.TRY_LOAD_LOCK;
import static dev.pgcache.entry.EntryStatements.TRY_LOAD_LOCKS;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The cross-replica load lock of an entry: read-through takes it before it calls an upstream,
 * and the JSON-RPC proxy before it sends a body's cache misses to the node, so one replica loads
 * a key at a time, and reads and writes the entry in the lock's transaction
 * (docs/architecture.md, "Read-through").
 */
@ApplicationScoped
public class LoadLocks {

    /**
     * First key of the two-key advisory locks that make one replica load a key at a time. The
     * two-key form never collides with the one-key purge lock; the second key is a hash of
     * namespace and key (a collision only makes two loads of different keys take turns).
     */
    public static final int LOAD_LOCK_CLASS = 0x70676c64; // "pgld"

    private final Connections db;
    private final EntryStore store;

    LoadLocks(Connections db, EntryStore store) {
        this.db = db;
        this.store = store;
    }

    /** What a loader may do while it holds the load lock of one entry: read and write it in the lock's transaction. */
    public interface LockedEntry {
        /** The live entry, read again now (another replica may have just written it). */
        Optional<Entry> get();

        /** {@link EntryStore#upsert(WriteRequest)} in the lock's transaction: visible to others when the lock ends. */
        WriteOutcome upsert(WriteRequest w);
    }

    /** What the loads of many entries may do while they hold the locks they got: read and write in the locks' transaction. */
    public interface LockedEntries {
        /**
         * {@link EntryStore#getAll} in the locks' transaction, read again now (another replica may
         * have just written them); values over {@code maxValueBytes} together are not read.
         */
        BatchRead getAll(List<String> keys, long maxValueBytes);

        /** {@link EntryStore#upsert(WriteRequest)} in the locks' transaction: visible to others when the locks end. */
        WriteOutcome upsert(WriteRequest w);
    }

    /** Work done under a load lock; it may call an upstream, which is why the lock is held. */
    @FunctionalInterface
    public interface LoadWork<T> {
        T run(LockedEntry locked);
    }

    /** Work done under the load locks of some of many entries; it may call an upstream. */
    @FunctionalInterface
    public interface LoadsWork<T> {
        /** @param taken one per key asked, in order: whether this transaction holds its lock */
        T run(List<Boolean> taken, LockedEntries locked);
    }

    /**
     * Runs the work while holding the cross-replica load lock of the entry, or returns empty at
     * once when another session holds it. The lock is a transaction-scoped advisory lock: the
     * work runs inside one transaction on a pooled connection, opened by taking the lock, and
     * committed after it (the write under the lock becomes visible at that commit, the lock ends
     * with it); a failure rolls back, which ends the lock too. Nothing outlives the transaction, so
     * the pool's URL may go through a pooler in transaction mode (docs/architecture.md, "One load
     * per key", says why a transaction rather than a session lock, and what it costs).
     */
    public <T> Optional<T> underLoadLock(EntryId id, LoadWork<T> work) {
        return inLockTransaction(c -> {
            if (!db.begin(c, TRY_LOAD_LOCK, LOAD_LOCK_CLASS, id.namespace(), id.key())) {
                return Optional.<T>empty();
            }
            Locked locked = new Locked(c, id.namespace());
            T result = work.run(new LockedEntry() {
                @Override
                public Optional<Entry> get() {
                    return locked.get(id);
                }

                @Override
                public WriteOutcome upsert(WriteRequest w) {
                    return locked.upsert(w);
                }
            });
            locked.commit();
            return Optional.of(result);
        });
    }

    /**
     * {@link #underLoadLock} for many entries of one namespace in one transaction on one pooled
     * connection: the lock of each key is tried at once, in one statement, and the work runs with
     * those it got (the others are held by other sessions; the caller waits for them as it sees
     * fit). When it got none, the transaction ends at once and the answer is empty.
     */
    public <T> Optional<T> underLoadLocks(String namespace, List<String> keys, LoadsWork<T> work) {
        return inLockTransaction(c -> {
            Array keyArray = c.createArrayOf("text", keys.toArray());
            List<Boolean> taken = db.begin(c, TRY_LOAD_LOCKS, rs -> booleans(rs.getArray(1)), LOAD_LOCK_CLASS, namespace, keyArray);
            if (!taken.contains(Boolean.TRUE)) {
                return Optional.<T>empty();
            }
            Locked locked = new Locked(c, namespace);
            T result = work.run(taken, locked);
            locked.commit();
            return Optional.of(result);
        });
    }

    /**
     * Runs a lock transaction on a pooled connection: the work opens it with its lock statement
     * and commits it when it got a lock; empty (no lock) rolls it back, and so does a failure.
     */
    private <T> Optional<T> inLockTransaction(Connections.SqlWork<Optional<T>> work) {
        return db.untimed("load lock", c -> {
            try {
                Optional<T> result = work.run(c);
                if (result.isEmpty()) {
                    c.rollback();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                Connections.rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    private static List<Boolean> booleans(Array array) throws SQLException {
        List<Boolean> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            out.add(Boolean.TRUE.equals(o));
        }
        return out;
    }

    /** Reads and writes inside an open lock transaction; the entries written are announced once it has committed. */
    private final class Locked implements LockedEntries {
        private final Connection c;
        private final String namespace;
        private final List<EntryId> written = new ArrayList<>();

        Locked(Connection c, String namespace) {
            this.c = c;
            this.namespace = namespace;
        }

        Optional<Entry> get(EntryId id) {
            try {
                Optional<Entry> entry = store.read(c, id);
                db.releaseSnapshot(c); // the work may now wait on an upstream
                return entry;
            } catch (SQLException e) {
                throw SqlErrors.translate("read", e);
            }
        }

        @Override
        public BatchRead getAll(List<String> keys, long maxValueBytes) {
            try {
                BatchRead read = store.readAll(c, namespace, keys, null, maxValueBytes);
                db.releaseSnapshot(c); // the work may now wait on an upstream
                return read;
            } catch (SQLException e) {
                throw SqlErrors.translate("batch read", e);
            }
        }

        @Override
        public WriteOutcome upsert(WriteRequest w) {
            try {
                WriteOutcome outcome = store.upsert(c, w);
                if (outcome instanceof WriteOutcome.Written) {
                    written.add(w.id());
                }
                return outcome;
            } catch (SQLException e) {
                throw SqlErrors.translate("write", e);
            }
        }

        void commit() throws SQLException {
            c.commit();
            written.forEach(store::announce);
        }
    }
}
