package dev.pgcache.entry;

import static dev.pgcache.entry.EntryStatements.TRY_LOAD_LOCK;

import java.sql.SQLException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The cross-replica load lock of one entry: read-through takes it before it calls an upstream,
 * so one replica loads a key at a time, and reads and writes the entry in the lock's transaction
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

    /** Work done under a load lock; it may call an upstream, which is why the lock is held. */
    @FunctionalInterface
    public interface LoadWork<T> {
        T run(LockedEntry locked);
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
        return db.untimed("load lock", c -> {
            boolean[] wrote = {false};
            LockedEntry locked = new LockedEntry() {
                @Override
                public Optional<Entry> get() {
                    try {
                        Optional<Entry> entry = store.read(c, id);
                        db.releaseSnapshot(c); // the work may now wait on an upstream
                        return entry;
                    } catch (SQLException e) {
                        throw SqlErrors.translate("read", e);
                    }
                }

                @Override
                public WriteOutcome upsert(WriteRequest w) {
                    try {
                        WriteOutcome outcome = store.upsert(c, w);
                        wrote[0] |= outcome instanceof WriteOutcome.Written;
                        return outcome;
                    } catch (SQLException e) {
                        throw SqlErrors.translate("write", e);
                    }
                }
            };
            Optional<T> result = db.underLock(c, TRY_LOAD_LOCK, new Object[] {LOAD_LOCK_CLASS, id.namespace(), id.key()},
                    tx -> work.run(locked));
            if (result.isPresent() && wrote[0]) {
                store.announce(id); // after the commit, which underLock has made
            }
            return result;
        });
    }
}
