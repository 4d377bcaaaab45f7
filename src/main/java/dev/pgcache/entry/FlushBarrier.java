package dev.pgcache.entry;

import static dev.pgcache.entry.WriteStatements.FLUSH_BARRIER;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Makes what a connection has committed durable: runs {@link WriteStatements#FLUSH_BARRIER} in a
 * transaction of its own, whose synchronous commit waits until the WAL is flushed past everything
 * committed before it. Writes and deletes commit without waiting ({@link WriteStatements#COMMIT_NO_WAIT}
 * says why) and are answered only after this, when their durability is strict.
 */
final class FlushBarrier {

    private FlushBarrier() {
    }

    /** Call it after the commit, on the connection that committed; leaves it as it found it (autocommit or not). */
    static void await(Connections db, Connection c) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, FLUSH_BARRIER); ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
        if (!c.getAutoCommit()) {
            c.commit();
        }
    }
}
