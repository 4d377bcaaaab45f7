package dev.pgcache.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL 15 server of a test's own, for what must never be done to the shared server at
 * 5432: server-wide settings (max_connections), password authentication, passwords changed,
 * the server stopped. initdb into a temporary directory, a free loopback port, run as the user
 * postgres (initdb refuses root); {@link #close} stops it and deletes the directory, and a
 * shutdown hook does the same if the test run dies first. Installed with apt-get when missing.
 *
 * <p>Authentication is as in production for everyone but the superuser: {@code postgres} logs in
 * without a password over loopback (the test's own administration), every other role with
 * scram-sha-256.
 */
public final class PrivatePostgres implements AutoCloseable {

    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path dir;
    private final int port;
    private final List<String> settings;
    private final Thread cleanup;

    private PrivatePostgres(Path dir, int port, List<String> settings) {
        this.dir = dir;
        this.port = port;
        this.settings = settings;
        this.cleanup = new Thread(this::destroy);
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Makes a new cluster and starts it with {@code settings} (postgresql.conf names and values) besides the defaults. */
    public static PrivatePostgres start(Map<String, String> settings) {
        installed();
        try {
            Path dir = Files.createTempDirectory("pgcache-private-pg-");
            if (ROOT) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                Files.setOwner(dir, postgres);
            }
            List<String> options = new ArrayList<>();
            settings.forEach((k, v) -> options.add("-c " + k + "=" + v));
            PrivatePostgres pg = new PrivatePostgres(dir, PackagedReplicas.freePort(), options);
            pg.run(BIN.resolve("initdb").toString(), "-D", pg.data().toString(), "-U", "postgres", "-A", "trust",
                    "--no-sync");
            Files.writeString(pg.data().resolve("pg_hba.conf"), """
                    # the test's own superuser without a password; every other role as in production
                    host all postgres 127.0.0.1/32 trust
                    host all all      127.0.0.1/32 scram-sha-256
                    """);
            pg.startServer();
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a private PostgreSQL", e);
        }
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of {@code database} on this server, without credentials. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A connection as the superuser postgres (trusted over loopback), to {@code database}. */
    public Connection superuser(String database) throws SQLException {
        return connect(database, "postgres", null);
    }

    /** A connection as {@code user} with {@code password} (scram-sha-256), with short timeouts. */
    public Connection connect(String database, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", "3");
        p.setProperty("loginTimeout", "5");
        p.setProperty("ApplicationName", "pgcache-test-admin");
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    /** Runs statements as the superuser in database postgres. */
    public void execute(String... statements) {
        try (Connection c = superuser("postgres"); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("on the private PostgreSQL: " + String.join("; ", statements), e);
        }
    }

    /** Makes a login role with a password (a test value: single quotes are not expected in it). */
    public void createRole(String role, String password) {
        execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'");
    }

    /**
     * Ends every session of {@code role}, as a failover or an administrator would, and waits (up to
     * 10 s each) until their backends have exited, so their connection slots are free when it
     * returns (without the wait, a caller that then takes every free slot could finish before
     * they were freed); answers how many.
     */
    public int terminateSessionsOf(String role) {
        try (Connection c = superuser("postgres"); Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity WHERE usename = '" + role + "'")) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server (fast shutdown: sessions are ended); {@link #startServer} starts it again on the same port. */
    public void stopServer() {
        run(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "fast", "-w", "stop");
    }

    /**
     * Stops the server the way a crash does: {@code pg_ctl stop -m immediate}, no checkpoint, no
     * flush of what is in its memory; {@link #startServer} then runs crash recovery first.
     */
    public void crash() {
        run(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w", "stop");
    }

    /** The datasource settings of a service pointed at database postgres here as the superuser (for {@link PackagedReplicas}). */
    public Map<String, String> serviceConfig() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("quarkus.datasource.jdbc.url", jdbcUrl("postgres"));
        c.put("quarkus.datasource.username", "postgres");
        return c;
    }

    /** Starts the server on its data directory (again, after a stop or a crash) with fsync off unless the settings say otherwise. */
    public void startServer() {
        List<String> options = new ArrayList<>(List.of("-p " + port, "-c listen_addresses=127.0.0.1",
                "-c unix_socket_directories=" + dir, "-c fsync=off"));
        options.addAll(settings);
        run(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", String.join(" ", options), "start");
    }

    /** The server's log, for a failure message. */
    public String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs destroy again, which finds nothing to do
        }
    }

    private void destroy() {
        if (!Files.exists(dir)) {
            return;
        }
        if (Files.exists(data().resolve("postmaster.pid"))) {
            runQuietly(BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "-w", "stop");
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    private void run(String... command) {
        String out = runQuietly(command);
        if (out != null) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out + "\n" + log());
        }
    }

    /** Runs command as postgres; answers null when it succeeded, else its output. */
    private String runQuietly(String... command) {
        List<String> cmd = new ArrayList<>();
        if (ROOT) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? null : out;
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** PostgreSQL 15's server binaries, installed with apt-get when missing; a run without them fails. */
    private static void installed() {
        if (Files.isExecutable(BIN.resolve("initdb"))) {
            return;
        }
        for (List<String> cmd : List.of(List.of("apt-get", "install", "-y", "-q", "postgresql-15"), List.of("apt-get", "update", "-q"),
                List.of("apt-get", "install", "-y", "-q", "postgresql-15"))) {
            try {
                Process p = new ProcessBuilder(cmd).inheritIO().start();
                p.waitFor(300, TimeUnit.SECONDS);
            } catch (IOException e) {
                System.err.println(String.join(" ", cmd) + " failed: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (Files.isExecutable(BIN.resolve("initdb"))) {
                return;
            }
        }
        throw new IllegalStateException("a private PostgreSQL needs " + BIN + "/initdb: run apt-get install postgresql-15 as root");
    }
}
