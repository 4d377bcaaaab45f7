package dev.pgcache.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own, for what must never be done to the shared one: crash it,
 * restart it. initdb into a temporary directory, a free loopback port, the socket in that
 * directory; run as user postgres when the tests run as root (initdb refuses root). fsync and
 * synchronous_commit keep their defaults (on), so a crash loses what it would in production.
 * Closing it stops the server at once and deletes the directory, also after a failed test.
 */
public final class PrivatePostgres implements AutoCloseable {

    private static final Path BIN = Path.of(System.getProperty("pgcache.postgres.bin", "/usr/lib/postgresql/15/bin"));
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final Path dir;
    private final Path data;
    private final int port;
    private final String settings;

    private PrivatePostgres(Path dir, int port, String settings) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.settings = settings;
    }

    /**
     * initdb and start; fails (never skips) when the binaries are missing.
     *
     * @param settings server settings as name=value, each given to the server as -c (fixed texts of the test, never input)
     */
    public static PrivatePostgres start(String... settings) throws IOException, InterruptedException {
        if (!Files.isExecutable(BIN.resolve("initdb"))) {
            throw new IllegalStateException(BIN + "/initdb is missing: install postgresql-15 (apt-get install -y postgresql-15)");
        }
        Path dir = Files.createTempDirectory("pgcache-private-pg-");
        StringBuilder c = new StringBuilder();
        for (String setting : settings) {
            c.append(" -c ").append(setting);
        }
        PrivatePostgres pg = new PrivatePostgres(dir, PackagedReplicas.freePort(), c.toString());
        try {
            if (ROOT) {
                run(List.of("chown", "postgres:postgres", dir.toString()));
            }
            pg.asServerUser(List.of(BIN.resolve("initdb").toString(), "-D", pg.data.toString(), "-U", "postgres", "-A", "trust",
                    "--no-sync", "-E", "UTF8", "--locale=C"));
            pg.startServer();
        } catch (IOException | InterruptedException | RuntimeException e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    /** Starts the server on its data directory (again, after {@link #crash}: crash recovery runs first) and waits until it accepts connections. */
    public void startServer() throws IOException, InterruptedException {
        asServerUser(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w",
                "-t", "60", "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1" + settings, "start"));
    }

    /** Stops the server the way a crash does: {@code pg_ctl stop -m immediate}, no checkpoint, no flush of what is in memory. */
    public void crash() throws IOException, InterruptedException {
        asServerUser(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", "");
    }

    /** The datasource settings a service pointed at this server needs (for {@link PackagedReplicas}). */
    public Map<String, String> serviceConfig() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("quarkus.datasource.jdbc.url", jdbcUrl());
        c.put("quarkus.datasource.username", "postgres");
        return c;
    }

    /** The server's log so far, for a failure message. */
    public String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                crash();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("could not stop the private PostgreSQL in " + dir + ": " + e.getMessage());
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    private void asServerUser(List<String> command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (ROOT) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        run(cmd);
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
    }
}
