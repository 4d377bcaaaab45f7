package dev.pgcache.entry;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Pooled connections for the stores of this package, with the one translation of SQL errors
 * ({@link SqlErrors}): no connection or the database away is a {@link StoreUnavailableException}
 * (503), a value PostgreSQL refuses a 400, anything else a {@link StoreException}.
 */
@ApplicationScoped
class Connections {

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;

    Connections(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Runs work on a pooled connection (autocommit), which goes back to the pool afterwards. */
    <T> T withConnection(String action, SqlWork<T> work) {
        Connection c = open(action);
        try (c) {
            return work.run(c);
        } catch (SQLException e) {
            throw SqlErrors.translate(action, e);
        }
    }

    /** A pooled connection the caller closes (for work that must hold one session, e.g. a load lock). */
    Connection open(String action) {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw new StoreUnavailableException("no database connection for " + action + ": " + e.getMessage(), e);
        }
    }

    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it and the server rolls back on disconnect
        }
    }

    static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
