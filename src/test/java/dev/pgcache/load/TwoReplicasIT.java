package dev.pgcache.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.PgBouncer;
import dev.pgcache.testing.PostgresTestResource;
import dev.pgcache.testing.UpstreamControl;
import dev.pgcache.testing.UpstreamServer;

/**
 * Two real service processes (the packaged application, started twice) share one database and
 * one slow upstream; 200 concurrent GETs of one cold key, split between them, must make exactly
 * one upstream call. Each process has its own in-memory single-flight, so only the database's
 * advisory lock can stop the second replica's call: the test checks that both replicas really
 * had to load (both answer MISS, none HIT) and that one of them waited on the other's lock.
 *
 * <p>Runs in the integration-test phase (Failsafe), after the application is packaged.
 */
class TwoReplicasIT {

    private static final Path APP = Path.of(System.getProperty("pgcache.app.jar", "target/quarkus-app/quarkus-run.jar"));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** SHA-256 of TestKeys.ALL, as configured under %test in application.properties. */
    private static final String TEST_ALL_SHA256 = "8c35a9dbb3f9fb5f84d87f11808950c45fa459f79b90904a9ef6156f65e7b7da";

    private static PostgresTestResource database;
    private static Map<String, String> databaseConfig;
    private static UpstreamServer upstreamServer;
    private static final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void startDatabaseAndUpstream() {
        assertTrue(Files.isRegularFile(APP), APP + " is missing: package the application first (mvn verify does)");
        database = new PostgresTestResource();
        databaseConfig = database.start();
        upstreamServer = UpstreamServer.start();
    }

    @AfterAll
    static void stopEverything() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (upstreamServer != null) {
            upstreamServer.close();
        }
        if (database != null) {
            database.stop();
        }
    }

    @Test
    void twoReplicasSharingTheDatabaseMakeOneUpstreamCall() throws Exception {
        String a = startReplica("a", Map.of());
        String b = startReplica("b", Map.of());
        UpstreamControl upstream = new UpstreamControl(upstreamServer.baseUrl());
        String key = "two-replicas-" + System.nanoTime();
        upstream.slow(key, 1500);

        List<URI> uris = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            uris.add(URI.create(a + "/v1/cache/rt/" + key));
            uris.add(URI.create(b + "/v1/cache/rt/" + key));
        }
        List<HttpResponse<String>> answers = Concurrent.gets(uris);

        assertEquals(1, upstream.calls(key), "upstream calls for 200 concurrent misses across two replicas");
        assertTrue(answers.stream().allMatch(r -> r.statusCode() == 200), "every caller is answered");
        assertEquals(1, answers.stream().map(HttpResponse::body).collect(Collectors.toSet()).size(), "with the one loaded value");
        Map<String, Set<String>> xCacheByReplica = new LinkedHashMap<>();
        for (HttpResponse<String> r : answers) {
            String replica = r.uri().toString().startsWith(a) ? "a" : "b";
            xCacheByReplica.computeIfAbsent(replica, x -> new java.util.TreeSet<>()).add(r.headers().firstValue("X-Cache").orElse(""));
        }
        // both replicas found the key missing and had to load it; neither was late enough to simply hit
        assertEquals(Map.of("a", Set.of("MISS"), "b", Set.of("MISS")), xCacheByReplica);
        double lockWaits = lockWaits(a) + lockWaits(b);
        assertTrue(lockWaits >= 1, "one replica waited on the other's advisory lock; lock waits: " + lockWaits);
        if (PgBouncer.wanted()) {
            // the PgBouncer job: both replicas' pools are PgBouncer's clients, none went around it
            long clients = PgBouncer.show(databaseConfig.get("test.pgcache.pgbouncer-admin-url"), "CLIENTS").stream()
                    .filter(r -> databaseConfig.get("test.pgcache.database").equals(r.get("database"))).count();
            assertTrue(clients >= 2, "the replicas' connections to PgBouncer: " + clients);
        }
    }

    @Test
    void aBadUrlTemplateStopsTheServiceAtStartWithAClearMessage() throws Exception {
        Path log = Files.createTempFile("pgcache-it-bad-", ".log");
        Process p = launch(freePort(), log, Map.of("pgcache.namespaces.bad.upstream.url", "http://{key}.example.com/v"));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the service should stop by itself");
        assertNotEquals(0, p.exitValue());
        String output = Files.readString(log);
        assertTrue(output.contains("pgcache.namespaces.bad.upstream.url has {key} in the scheme, host or port"), output);
        assertFalse(output.contains("Listening on"), "it never served");
    }

    private String startReplica(String name, Map<String, String> extra) throws Exception {
        int port = freePort();
        Path log = Path.of("target", "it-replica-" + name + ".log");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("pgcache.namespaces.rt.ttl", "60s");
        config.put("pgcache.namespaces.rt.upstream.url", upstreamServer.baseUrl() + "/values/{key}");
        config.put("pgcache.namespaces.rt.upstream.wait-timeout", "15s");
        config.put("pgcache.namespaces.rt.upstream.timeout", "10s");
        config.putAll(extra);
        Process p = launch(port, log, config);
        String base = "http://127.0.0.1:" + port;
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        if (!p.isAlive()) {
                            throw new AssertionError("replica " + name + " died at start:\n" + Files.readString(log));
                        }
                        return ready(base);
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("replica " + name + " not ready after 90 s:\n" + Files.readString(log));
        }
        return base;
    }

    /** The JVM options the service runs with in production, as bin/run gives them (bin/jvm-options). */
    private static List<String> jvmOptions() throws IOException {
        Path app = APP.toAbsolutePath().getParent();
        Process p = new ProcessBuilder("bin/jvm-options", app.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
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

    private static Process launch(int port, Path log, Map<String, String> config) throws IOException {
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

    private static boolean ready(String base) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static double lockWaits(String base) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                .header("Authorization", "Bearer " + dev.pgcache.testing.TestKeys.ALL).build(), HttpResponse.BodyHandlers.ofString()).body();
        String prefix = "pgcache_load_lock_waits_total{namespace=\"rt\"} ";
        return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
                .findFirst().orElse(0);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
