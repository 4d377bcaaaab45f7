package dev.pgcache.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The packaged service (target/quarkus-app) started as separate processes against one test
 * database, the way it runs in production: the JVM options of bin/jvm-options, prod mode with API
 * keys on, each replica on a random loopback port. For integration tests (Failsafe), which run
 * after the application is packaged. Closing it stops every process it started.
 */
public final class PackagedReplicas implements AutoCloseable {

    public static final Path APP = Path.of(System.getProperty("pgcache.app.jar", "target/quarkus-app/quarkus-run.jar"));
    /** SHA-256 of TestKeys.ALL, as configured under %test in application.properties. */
    private static final String TEST_ALL_SHA256 = "8c35a9dbb3f9fb5f84d87f11808950c45fa459f79b90904a9ef6156f65e7b7da";

    private final Map<String, String> databaseConfig;
    private final List<Process> processes = new ArrayList<>();

    /** @param databaseConfig what {@link PostgresTestResource#start()} answered: the replicas' datasource */
    public PackagedReplicas(Map<String, String> databaseConfig) {
        assertTrue(Files.isRegularFile(APP), APP + " is missing: package the application first (mvn verify does)");
        this.databaseConfig = databaseConfig;
    }

    /** Starts a replica with {@code config} besides the defaults of {@link #launch}, and waits until it is ready. */
    public Replica start(String name, Map<String, String> config) throws IOException {
        int port = freePort();
        Path log = Path.of("target", "it-replica-" + name + ".log");
        Process p = launch(port, log, config);
        Replica replica = new Replica(name, "http://127.0.0.1:" + port, p, log);
        try {
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        if (!p.isAlive()) {
                            throw new AssertionError("replica " + name + " died at start:\n" + Files.readString(log));
                        }
                        return replica.ready();
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("replica " + name + " not ready after 90 s:\n" + Files.readString(log));
        }
        return replica;
    }

    /**
     * Starts the service on {@code port}, its output in {@code log}, without waiting: with the test
     * database, the purge job off (tests run it when they mean to), the test suite's full-rights key,
     * and {@code config} on top, each as a -D option.
     */
    public Process launch(int port, Path log, Map<String, String> config) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions());
        Map<String, String> all = new LinkedHashMap<>();
        all.put("quarkus.http.host", "127.0.0.1");
        all.put("quarkus.http.port", Integer.toString(port));
        // the database's settings (with PGCACHE_TEST_PGBOUNCER=1, the pool through PgBouncer and
        // the direct URLs for migrations and LISTEN), not the test suite's own test.* ones
        databaseConfig.forEach((k, v) -> {
            if (!k.startsWith("test.")) {
                all.put(k, v);
            }
        });
        all.put("pgcache.purge.enabled", "false");
        // the packaged app runs in prod mode, auth on: give it the test suite's full-rights key
        all.put("pgcache.auth.keys.test-all.secret-sha256", TEST_ALL_SHA256);
        all.put("pgcache.auth.keys.test-all.scopes", "read,write,admin");
        all.put("pgcache.auth.keys.test-all.namespaces", "*");
        all.putAll(config);
        all.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(APP.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    /** Stops every process started, forcibly after 20 s. */
    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** The JVM options the service runs with in production, as bin/run gives them (bin/jvm-options). */
    private static List<String> jvmOptions() throws IOException {
        Path app = APP.toAbsolutePath().getParent();
        Process p = new ProcessBuilder("bin/jvm-options", app.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("bin/jvm-options failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return List.of(out.split("\\s+"));
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
