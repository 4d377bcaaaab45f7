package dev.pgcache.entry;

import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The readiness check {@code pgcache-database}: UP while a connection from the pool answers, DOWN
 * with the cause in words ({@link DatabaseRefusal}: the pool exhausted, max_connections reached,
 * the password refused, the server away) and its SQLSTATE otherwise. It replaces Quarkus' own
 * datasource check (quarkus.datasource.health.enabled=false), which repeats the driver's or the
 * pool's message. It asks the pool like a request does, so it waits as long as one would (at most
 * the acquisition timeout, 3 s, plus a 2 s query) and turns UP by itself once a request would be
 * served again.
 */
@Readiness
@ApplicationScoped
class DatabaseReadiness implements HealthCheck {

    static final String NAME = "pgcache-database";
    private static final int VALIDATION_SECONDS = 2;
    private static final int MAX_ATTEMPTS = 5;

    private final DataSource dataSource;

    DatabaseReadiness(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named(NAME);
        DatabaseRefusal refusal = probe();
        if (refusal == null) {
            return r.up().build();
        }
        return r.down().withData("cause", refusal.cause()).withData("sqlstate", refusal.sqlState()).build();
    }

    /**
     * Null when a pooled connection answers. A pooled connection whose session the server ended
     * fails its query at once (and the pool drops it); the pool is asked again, a few times, so that
     * the answer is about the database now (a new connection refused, say), not about a session
     * that was lost. Only such a lost session is asked again, never a query that timed out.
     */
    private DatabaseRefusal probe() {
        DatabaseRefusal refusal = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS && (refusal == null || lostSession(refusal)); attempt++) {
            Connection c;
            try {
                c = dataSource.getConnection();
            } catch (SQLException e) {
                return DatabaseRefusal.of(e);
            }
            try (c; Statement s = c.createStatement()) {
                // the query timeout's cancel may not arrive (Connections#networkTimeoutMillis): the socket bounds it too
                c.setNetworkTimeout(Runnable::run, Connections.networkTimeoutMillis(VALIDATION_SECONDS));
                s.setQueryTimeout(VALIDATION_SECONDS);
                s.execute("SELECT 1");
                return null;
            } catch (SQLException e) {
                if (timedOut(e)) {
                    return DatabaseRefusal.of(e);
                }
                refusal = DatabaseRefusal.of(e);
            }
        }
        return refusal;
    }

    private static boolean lostSession(DatabaseRefusal r) {
        return r.sqlState().startsWith("08") || r.sqlState().startsWith("57P");
    }

    /** The probe waited its whole bound on the socket: asking another connection would wait as long. */
    private static boolean timedOut(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
