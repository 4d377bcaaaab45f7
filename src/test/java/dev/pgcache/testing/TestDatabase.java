package dev.pgcache.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.pgcache.near.NearReads;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.InstanceHandle;

/**
 * Acts on the test database from outside the service, over a connection of its own: moves
 * entries in time (tests set timestamps rather than sleep), and makes the database refuse
 * connections and come back.
 */
public final class TestDatabase {

    private TestDatabase() {
    }

    public static String adminUrl() {
        return ConfigProvider.getConfig().getValue("test.pgcache.admin-jdbc-url", String.class);
    }

    public static String name() {
        return ConfigProvider.getConfig().getValue("test.pgcache.database", String.class);
    }

    /** A superuser connection to the test database itself. */
    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(adminUrl().replaceFirst("/[^/?]+(\\?|$)", "/" + name() + "$1"));
    }

    /**
     * Runs one statement with parameters in the test database; returns the update count. When the
     * service runs in this JVM, waits until its near cache has applied the change (at most about a
     * heartbeat), so that the next request sees it as a test expects: the bound itself is tested
     * in dev.pgcache.near, not left to chance everywhere else.
     */
    public static int execute(String sql, Object... params) {
        int count;
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            count = ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        awaitNearCache();
        return count;
    }

    private static void awaitNearCache() {
        ArcContainer container = Arc.container();
        if (container != null && container.isRunning()) {
            InstanceHandle<NearReads> near = container.instance(NearReads.class);
            if (near.isAvailable() && !near.get().awaitCaughtUp(Duration.ofSeconds(3))) {
                throw new IllegalStateException("the near cache did not catch up with a change within 3 s");
            }
        }
    }

    /** Runs one query with parameters in the test database; returns the first column of its first row, or null when none. */
    public static Object scalar(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Rewrites an entry's lifetime relative to the database's now(): negative seconds are in the
     * past. {@code staleUntilSeconds} null means no stale window.
     */
    public static void setLifetime(String namespace, String key, long expiresInSeconds, Long staleUntilSeconds) {
        int n = execute("""
                UPDATE pgcache.cache_entry
                SET fetched_at = least(fetched_at, now() + make_interval(secs => ?) - interval '1 hour'),
                    expires_at = now() + make_interval(secs => ?),
                    stale_until = now() + make_interval(secs => ?)
                WHERE namespace = ? AND cache_key = ?""",
                (double) expiresInSeconds, (double) expiresInSeconds,
                staleUntilSeconds == null ? null : (double) staleUntilSeconds.longValue(), namespace, key);
        if (n != 1) {
            throw new IllegalStateException("no entry " + namespace + "/" + key);
        }
    }

    /** Makes the test database refuse new connections and ends every session the service has open. */
    public static void goAway() {
        try (Connection c = DriverManager.getConnection(adminUrl()); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + name() + " WITH ALLOW_CONNECTIONS false");
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name() + "' AND pid <> pg_backend_pid()");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Makes every new session on the test database read-only (a write then fails with SQLSTATE
     * 25006, as on a standby), or writable again; sessions already open keep what they had.
     */
    public static void readOnly(boolean readOnly) {
        try (Connection c = DriverManager.getConnection(adminUrl()); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + name() + (readOnly ? " SET default_transaction_read_only = on" : " RESET default_transaction_read_only"));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Lets the test database take connections again. */
    public static void comeBack() {
        try (Connection c = DriverManager.getConnection(adminUrl()); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + name() + " WITH ALLOW_CONNECTIONS true");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
