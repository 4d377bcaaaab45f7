package dev.pgcache.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives every test run a PostgreSQL database of its own, so runs never trample each other or
 * a developer's data. Where a Docker engine answers, the server is a Testcontainers
 * PostgreSQL; where none does, the local server on localhost:5432 (user postgres, trust auth,
 * as on the project's machines). {@code PGCACHE_TEST_ADMIN_URL} (a JDBC URL of a superuser
 * connection, with user and password in it) overrides both. With no server at all the run fails
 * at once with one line that says what to start.
 *
 * <p>With {@code PGCACHE_TEST_PGBOUNCER=1} the service's pool goes through a real PgBouncer in
 * transaction mode ({@link PgBouncer}), while the migrations and the near cache's listening
 * connection go straight to the database, as docs/operations.md ("PgBouncer") configures them;
 * the admin console's URL is {@code test.pgcache.pgbouncer-admin-url}.
 *
 * <p>Besides the datasource, the resource hands the tests the admin URL and the database name
 * (config {@code test.pgcache.admin-jdbc-url}, {@code test.pgcache.database}), so a test can act
 * on the database from outside the service, e.g. to make it go away.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static final String LOCAL_ADMIN_URL = "jdbc:postgresql://localhost:5432/postgres?user=postgres";
    private static final String DB_PREFIX = "pgcache_test_";

    private PostgreSQLContainer container;
    private String adminUrl;
    private String database;
    private PgBouncer bouncer;

    @Override
    public Map<String, String> start() {
        adminUrl = chooseServer();
        database = DB_PREFIX + ProcessHandle.current().pid() + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            if (container == null) {
                dropLeftoversOfDeadRuns(s);
            }
            s.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the test database on " + redact(adminUrl) + ": " + e.getMessage(), e);
        }
        String appUrl = adminUrl.replaceFirst("/[^/?]+(\\?|$)", "/" + database + "$1");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.datasource.jdbc.url", appUrl);
        config.put("quarkus.datasource.username", userOf());
        config.put("quarkus.datasource.password", passwordOf());
        config.put("test.pgcache.admin-jdbc-url", adminUrl);
        config.put("test.pgcache.database", database);
        if (PgBouncer.wanted()) {
            // the pool goes through PgBouncer; what needs a session of its own goes straight to PostgreSQL
            bouncer = PgBouncer.start(adminUrl, userOf(), passwordOf());
            config.put("quarkus.datasource.jdbc.url", bouncer.through(appUrl));
            config.put("quarkus.flyway.jdbc-url", appUrl);
            config.put("quarkus.flyway.username", userOf());
            // Quarkus wants both with Flyway's own URL, and an empty value counts as none; a server with
            // trust authentication (the local one) never asks for it
            config.put("quarkus.flyway.password", passwordOf().isEmpty() ? "unused-with-trust" : passwordOf());
            config.put("pgcache.near-cache.listen-jdbc-url", appUrl);
            config.put("pgcache.database.prepare-threshold", "0"); // PgBouncer 1.18 does not track named statements
            config.put("test.pgcache.pgbouncer-admin-url", bouncer.adminUrl(userOf()));
            config.put("test.pgcache.pgbouncer-port", Integer.toString(bouncer.port()));
            System.err.println("PgBouncer in transaction mode on 127.0.0.1:" + bouncer.port() + " in front of " + database);
        }
        return config;
    }

    @Override
    public void stop() {
        if (bouncer != null) {
            // the evidence in the build log: what went through PgBouncer, by database
            for (Map<String, String> row : PgBouncer.show(bouncer.adminUrl(userOf()), "STATS")) {
                if (database.equals(row.get("database"))) {
                    System.err.println("PgBouncer stats for " + database + ": " + row);
                }
            }
            bouncer.stop();
        }
        if (database != null && adminUrl != null) {
            try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            } catch (SQLException e) {
                System.err.println("could not drop test database " + database + ": " + e.getMessage());
            }
        }
        if (container != null) {
            container.stop();
        }
    }

    private String chooseServer() {
        String explicit = System.getenv("PGCACHE_TEST_ADMIN_URL");
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        if (dockerAnswers()) {
            container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();
            return container.getJdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/postgres$1")
                    + (container.getJdbcUrl().contains("?") ? "&" : "?")
                    + "user=" + container.getUsername() + "&password=" + container.getPassword();
        }
        if (localServerAnswers()) {
            return LOCAL_ADMIN_URL;
        }
        throw new IllegalStateException("No PostgreSQL for the tests: start Docker (for Testcontainers) or a local PostgreSQL "
                + "on localhost:5432 with user postgres and trust auth, or set PGCACHE_TEST_ADMIN_URL to a superuser JDBC URL.");
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    private static boolean localServerAnswers() {
        Properties p = new Properties();
        p.setProperty("connectTimeout", "2");
        p.setProperty("loginTimeout", "3");
        try (Connection c = DriverManager.getConnection(LOCAL_ADMIN_URL, p)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Test databases whose run died before dropping them carry the dead run's pid in their name. */
    private static void dropLeftoversOfDeadRuns(Statement s) throws SQLException {
        List<String> stale = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'pgcache\\_test\\_%'")) {
            while (rs.next()) {
                String name = rs.getString(1);
                String[] parts = name.substring(DB_PREFIX.length()).split("_");
                try {
                    long pid = Long.parseLong(parts[0]);
                    if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                        stale.add(name);
                    }
                } catch (NumberFormatException ignored) {
                    // not one of ours
                }
            }
        }
        for (String name : stale) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    private String userOf() {
        return param("user", "postgres");
    }

    private String passwordOf() {
        return param("password", "");
    }

    private String param(String name, String fallback) {
        int q = adminUrl.indexOf('?');
        if (q < 0) {
            return fallback;
        }
        for (String kv : adminUrl.substring(q + 1).split("&")) {
            if (kv.startsWith(name + "=")) {
                return kv.substring(name.length() + 1);
            }
        }
        return fallback;
    }

    private static String redact(String url) {
        return url.replaceAll("password=[^&]*", "password=***");
    }
}
