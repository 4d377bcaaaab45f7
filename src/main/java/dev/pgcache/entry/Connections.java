package dev.pgcache.entry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.pgcache.config.DatabaseConfig;
import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.tracing.Tracing;

/**
 * Pooled connections for the stores of this package, with the one translation of SQL errors
 * ({@link SqlErrors}): no connection or the database away is a {@link StoreUnavailableException}
 * (503), a value PostgreSQL refuses a 400, anything else a {@link StoreException}.
 *
 * <p>Every statement is prepared here ({@link #prepare}), so that each one is schema-qualified
 * ({@link SchemaQualified}) and bounded in time, whether the pool's URL goes to PostgreSQL or to a
 * pooler in transaction mode (PgBouncer), where a connection carries no session settings of its
 * own: the bound is a JDBC query timeout, which the driver enforces by sending a cancel request
 * (PgBouncer forwards it to the server connection running the statement), and the driver's
 * error is SQLSTATE 57014 as for statement_timeout, so a stalled database still gives 503s.
 * Inside the service's own transactions ({@link #begin}) statement_timeout and
 * lock_timeout are also set for that transaction only ({@code set_config(…, true)}, which
 * PgBouncer lets through because it ends with the transaction).
 *
 * <p>Because every statement passes here, so does what an operator measures of the database
 * (docs/operations.md "Health and metrics"): {@code pgcache_database_seconds{action}}, the time
 * of each piece of work on a connection (waiting for the connection included: that is the
 * database's time as a request sees it), and {@code pgcache_database_unavailable_total}, the
 * pieces that failed because the database could not be reached. With tracing on
 * ({@link Tracing}) each statement is a span of its own ({@link TracedStatement}).
 */
@ApplicationScoped
class Connections {

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Time for a cancel request to reach the server and its error to come back. */
    static final int CANCEL_GRACE_MILLIS = 2000;

    private final DataSource dataSource;
    private final SchemaQualified statements;
    private final int queryTimeoutSeconds;
    private final String statementTimeoutMillis;
    private final int networkTimeoutMillis;
    private final String lockTimeoutMillis;
    private final Tracing tracing;
    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Counter unavailable;

    Connections(DataSource dataSource, PgcacheConfig config, Tracing tracing, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.tracing = tracing;
        this.registry = registry;
        this.unavailable = Counter.builder("pgcache.database.unavailable")
                .description("Work on the database that failed because it could not be reached (no connection, connection lost, "
                        + "timeout, shutting down): each became a 503 database-unavailable or a skipped background run")
                .register(registry);
        DatabaseConfig d = config.database();
        this.statements = new SchemaQualified(d.schema());
        this.queryTimeoutSeconds = (int) Math.max(1, d.statementTimeout().toSeconds());
        this.statementTimeoutMillis = Long.toString(queryTimeoutSeconds * 1000L);
        this.networkTimeoutMillis = networkTimeoutMillis(queryTimeoutSeconds);
        this.lockTimeoutMillis = Long.toString(Math.max(1, d.lockTimeout().toMillis()));
    }

    /** One of the statements of {@link EntryStatements#ALL} on c, schema-qualified and with the query timeout. */
    PreparedStatement prepare(Connection c, String statement) throws SQLException {
        PreparedStatement ps = c.prepareStatement(statements.sql(statement));
        ps.setQueryTimeout(queryTimeoutSeconds);
        return tracing.on() ? TracedStatement.wrap(ps, tracing, statement) : ps;
    }

    /**
     * Lets go of the snapshot the last query of an open transaction left behind. The driver sends
     * every statement through the unnamed portal and never closes it, and a finished query's portal
     * keeps its snapshot registered until the next one replaces it or the transaction ends: an
     * open transaction that waits (a load on its upstream) would hold back vacuum's horizon all
     * that time. A utility statement needs no snapshot; its portal replaces the query's, and the
     * backend's xmin is reset (LoadLockTest checks pg_stat_activity.backend_xmin). The statement
     * sets the transaction's lock_timeout again, to the value it already has.
     */
    void releaseSnapshot(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(queryTimeoutSeconds);
            s.execute(EntryStatements.RELEASE_SNAPSHOT.formatted(Long.parseLong(lockTimeoutMillis)));
        }
    }

    /**
     * Opens a transaction on c (autocommit off) with a statement that tries a transaction-scoped
     * lock and sets the transaction's timeouts ({@link EntryStatements#TRANSACTION_TIMEOUTS}, its
     * last two parameters, bound here after {@code params}); answers whether the lock was taken.
     * The caller commits or rolls back, and sets autocommit back.
     */
    boolean begin(Connection c, String lockStatement, Object... params) throws SQLException {
        return begin(c, lockStatement, rs -> rs.getBoolean(1), params);
    }

    /** Reads the first row of the statement that opens a transaction ({@link #begin(Connection, String, Object...)}). */
    @FunctionalInterface
    interface FirstRow<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** {@link #begin(Connection, String, Object...)} for a lock statement whose first row says more than one boolean. */
    <T> T begin(Connection c, String lockStatement, FirstRow<T> firstRow, Object... params) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement ps = prepare(c, lockStatement)) {
            int i = 1;
            for (Object p : params) {
                ps.setObject(i++, p);
            }
            ps.setString(i++, statementTimeoutMillis);
            ps.setString(i, lockTimeoutMillis);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return firstRow.read(rs);
            }
        }
    }

    /**
     * Runs work in one transaction on c that {@link #begin} opens with {@code lockStatement}:
     * empty, with nothing done, when the lock was not taken; else the work's result, after the
     * commit. A failure rolls back (which ends the lock too). Autocommit is on again afterwards.
     */
    <T> Optional<T> underLock(Connection c, String lockStatement, Object[] lockParams, SqlWork<T> work) throws SQLException {
        try {
            if (!begin(c, lockStatement, lockParams)) {
                c.rollback();
                return Optional.empty();
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
    }

    /**
     * Runs work on a pooled connection (autocommit), which goes back to the pool afterwards; its
     * time, connection wait included, counts in {@code pgcache_database_seconds{action}}.
     */
    <T> T withConnection(String action, SqlWork<T> work) {
        long start = System.nanoTime();
        try {
            return untimed(action, work);
        } finally {
            timers.computeIfAbsent(action, this::timer).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * {@link #withConnection} without the time: for work that waits on something else while it
     * holds the connection (a load calls its upstream inside its lock's transaction), whose time
     * would say nothing about the database.
     */
    <T> T untimed(String action, SqlWork<T> work) {
        try {
            Connection c = open(action);
            try (c) {
                try {
                    return work.run(c);
                } catch (SQLException | RuntimeException e) {
                    discardIfReadOnly(c, e);
                    throw e;
                }
            } catch (SQLException e) {
                throw SqlErrors.translate(action, e);
            }
        } catch (StoreUnavailableException e) {
            unavailable.increment();
            throw e;
        }
    }

    private Timer timer(String action) {
        return Timer.builder("pgcache.database")
                .description("Time of one piece of work on the database, by action (waiting for a pooled connection included)")
                .tag("action", action)
                .register(registry);
    }

    /**
     * A connection that got "read-only transaction" (a standby, or a primary demoted under it)
     * would give the same answer to every later write, and the pool cannot tell: it still
     * validates, and the pool's exception sorter only retires connections on connection errors
     * (SQLSTATE class 08). So the physical connection is closed under the pool's wrapper, and the
     * wrapper is asked something the closed connection answers with 08003: that marks the pooled
     * connection to be destroyed when the caller closes it, and the next connection is opened
     * anew, where the multi-host URL finds the primary ({@code targetServerType=primary};
     * docs/operations.md, "Running against Patroni").
     *
     * <p>Not {@code Connection.abort}: Agroal 3.0.1's wrapper swaps in its closed-connection
     * stand-in before it forwards the abort, so the abort reaches nothing, and the wrapper's close
     * then returns without giving the connection back. Each refused write leaked a pool slot and a
     * server connection, until the pool ran out (ReadOnlyServerTest).
     */
    private static void discardIfReadOnly(Connection c, Exception e) {
        if (SqlErrors.onReadOnlyServer(e)) {
            try {
                c.unwrap(Connection.class).close(); // the driver's own connection, under the pool's wrapper
                c.isReadOnly(); // throws 08003 through the wrapper, which has the pool destroy it on close
            } catch (SQLException expected) {
                // the outcome asked for: the pooled connection is flagged to be destroyed
            }
        }
    }

    /**
     * How long a statement may wait on the socket: the statement timeout and {@link #CANCEL_GRACE_MILLIS}.
     * The statement timeout is a cancel request the driver sends on a connection of its own, and a
     * cancel does not always arrive: PgBouncer drops one for a statement it holds in its queue
     * while it has no server connection (the database away, or every server connection busy),
     * and a server lost behind a network partition never sees one. Past this bound the driver gives
     * up on the socket, the statement fails as a lost connection (a 503) and the pool drops it,
     * instead of waiting for the driver's socketTimeout (30 s). Every statement the service runs is
     * bounded by the statement timeout, so none is cut short that would have finished.
     */
    static int networkTimeoutMillis(int statementTimeoutSeconds) {
        return statementTimeoutSeconds * 1000 + CANCEL_GRACE_MILLIS;
    }

    private Connection open(String action) {
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw new StoreUnavailableException("no database connection for " + action + ": " + e.getMessage(), e);
        }
        try {
            // set on every checkout: the pool keeps it (Agroal does not reset it), and another user
            // of the pool (the readiness probe) may have set its own
            c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
            return c;
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the connection is broken; the pool discards it
            }
            throw new StoreUnavailableException("no usable database connection for " + action + ": " + e.getMessage(), e);
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
