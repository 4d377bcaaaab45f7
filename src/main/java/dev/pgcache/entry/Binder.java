package dev.pgcache.entry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collection;

/** Binds statement parameters in order, so statements assembled from fragments cannot get their positions wrong. */
final class Binder {

    private final Connection connection;
    private final PreparedStatement ps;
    private int next = 1;

    Binder(Connection connection, PreparedStatement ps) {
        this.connection = connection;
        this.ps = ps;
    }

    Binder string(String value) throws SQLException {
        ps.setString(next++, value);
        return this;
    }

    Binder bool(boolean value) throws SQLException {
        ps.setBoolean(next++, value);
        return this;
    }

    Binder longValue(long value) throws SQLException {
        ps.setLong(next++, value);
        return this;
    }

    /** A value the driver maps itself, such as an OffsetDateTime to timestamptz. */
    Binder object(Object value) throws SQLException {
        ps.setObject(next++, value);
        return this;
    }

    Binder doubleValue(double value) throws SQLException {
        ps.setDouble(next++, value);
        return this;
    }

    Binder integer(int value) throws SQLException {
        ps.setInt(next++, value);
        return this;
    }

    Binder longOrNull(Long value) throws SQLException {
        if (value == null) {
            ps.setNull(next++, Types.BIGINT);
        } else {
            ps.setLong(next++, value);
        }
        return this;
    }

    Binder textArray(Collection<String> values) throws SQLException {
        ps.setArray(next++, connection.createArrayOf("text", values.toArray()));
        return this;
    }

    Binder bigintArray(Collection<Long> values) throws SQLException {
        ps.setArray(next++, connection.createArrayOf("bigint", values.toArray()));
        return this;
    }

    Binder intArray(Collection<Integer> values) throws SQLException {
        ps.setArray(next++, connection.createArrayOf("integer", values.toArray()));
        return this;
    }
}
