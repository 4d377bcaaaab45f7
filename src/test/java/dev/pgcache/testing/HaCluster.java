package dev.pgcache.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The highly available cluster of {@code scripts/ha-cluster.sh} (two PostgreSQL 15 nodes under
 * Patroni, with etcd), started by the script in a directory of its own and stopped and removed by
 * {@link #close()}, also when a test fails. The script installs Patroni and etcd when they are
 * missing; when it cannot start the cluster the test fails with the script's output and logs.
 */
public final class HaCluster implements AutoCloseable {

    private static final Path SCRIPT = Path.of("scripts", "ha-cluster.sh");

    private final Path dir;
    private final String url;
    private final Map<String, Integer> nodePorts = new LinkedHashMap<>();

    private HaCluster(Path dir) throws IOException {
        this.dir = dir;
        this.url = run(30, "url").trim();
        for (String line : Files.readAllLines(dir.resolve("ports"))) {
            String[] kv = line.split("=", 2);
            if (kv[0].matches("pg\\d")) {
                nodePorts.put(kv[0], Integer.parseInt(kv[1]));
            }
        }
    }

    /** Starts a cluster (up to 4 minutes on a busy machine) and waits for its primary and synchronous standby. */
    public static HaCluster start() throws IOException {
        Path dir = Files.createTempDirectory("pgcache-ha-");
        Files.delete(dir); // the script makes it, for its owner
        String out;
        try {
            out = run(dir, 240, "start");
        } catch (IOException | RuntimeException e) {
            run(dir, 60, "stop");
            throw e;
        }
        System.out.println(out);
        return new HaCluster(dir);
    }

    /** The multi-host URL that follows the primary, as the script prints it. */
    public String url() {
        return url;
    }

    /** The service's datasource settings for this cluster: the pool, Flyway and the LISTEN all take the multi-host URL. */
    public Map<String, String> serviceConfig() {
        return Map.of("quarkus.datasource.jdbc.url", url, "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "");
    }

    public List<String> nodes() {
        return List.copyOf(nodePorts.keySet());
    }

    /** A superuser session on one node, whatever its role; fails fast when the node is down. */
    public Connection connect(String node) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + nodePorts.get(node) + "/postgres", session());
    }

    /** A superuser session on the primary, found by the multi-host URL. */
    public Connection connectToPrimary() throws SQLException {
        return DriverManager.getConnection(url, session());
    }

    private static Properties session() {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("ApplicationName", "pgcache-it-ha");
        p.setProperty("connectTimeout", "2");
        p.setProperty("loginTimeout", "2");
        p.setProperty("socketTimeout", "5");
        return p;
    }

    /** Whether the node answers and is not in recovery; empty when it does not answer. */
    public Optional<Boolean> isPrimary(String node) {
        try (Connection c = connect(node); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT NOT pg_is_in_recovery()")) {
            rs.next();
            return Optional.of(rs.getBoolean(1));
        } catch (SQLException e) {
            return Optional.empty();
        }
    }

    /** The node that is primary now; fails when none is. */
    public String primary() {
        return nodes().stream().filter(n -> isPrimary(n).orElse(false)).findFirst()
                .orElseThrow(() -> new AssertionError("no primary:\n" + logs()));
    }

    /** Kills the primary's Patroni and PostgreSQL with SIGKILL and waits for the standby's promotion; the script's output. */
    public String failover() throws IOException {
        return run(150, "failover");
    }

    /** A planned patronictl switchover; waits until the old primary streams again as the standby. */
    public String switchover() throws IOException {
        return run(240, "switchover");
    }

    public String status() {
        try {
            return run(30, "status");
        } catch (IOException | RuntimeException e) {
            return "status failed: " + e.getMessage();
        }
    }

    /** The tails of etcd's and both nodes' logs (Patroni and PostgreSQL), and the members: for a failing test's report. */
    public String logs() {
        try {
            return run(30, "logs");
        } catch (IOException | RuntimeException e) {
            return "logs failed: " + e.getMessage();
        }
    }

    @Override
    public void close() throws IOException {
        System.out.println(run(90, "stop"));
    }

    private String run(int seconds, String command) throws IOException {
        return run(dir, seconds, command);
    }

    private static String run(Path dir, int seconds, String command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), command).redirectErrorStream(true);
        pb.environment().put("PGCACHE_HA_DIR", dir.toString());
        Path out = Files.createTempFile("pgcache-ha-" + command + "-", ".log");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        try {
            boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (!done || p.exitValue() != 0) {
                throw new IllegalStateException("scripts/ha-cluster.sh " + command + (done ? " failed" : " took over " + seconds + " s") + ":\n" + text);
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
