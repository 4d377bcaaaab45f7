package dev.pgcache.entry;

import static dev.pgcache.entry.EntryStatements.LOAD_UNLOCK;
import static dev.pgcache.entry.EntryStatements.TRY_LOAD_LOCK;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The cross-replica load lock of one entry: read-through takes it before it calls an upstream,
 * so one replica loads a key at a time, and reads and writes the entry on the lock's connection
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
        Connection c = db.open("load lock");
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
                        return EntryStore.read(c, id);
                    } catch (SQLException e) {
                        throw SqlErrors.translate("read", e);
                    }
                }

                @Override
                public WriteOutcome upsert(WriteRequest w) {
                    try {
                        return store.upsert(c, w);
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
}
