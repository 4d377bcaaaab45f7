package dev.pgcache.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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

import dev.pgcache.testing.PackagedReplicas;
import dev.pgcache.testing.PgBouncer;
import dev.pgcache.testing.PostgresTestResource;
import dev.pgcache.testing.Replica;
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

    private static PostgresTestResource database;
    private static Map<String, String> databaseConfig;
    private static PackagedReplicas replicas;
    private static UpstreamServer upstreamServer;

    @BeforeAll
    static void startDatabaseAndUpstream() {
        database = new PostgresTestResource();
        databaseConfig = database.start();
        replicas = new PackagedReplicas(databaseConfig);
        upstreamServer = UpstreamServer.start();
    }

    @AfterAll
    static void stopEverything() throws InterruptedException {
        if (replicas != null) {
            replicas.close();
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
        Replica replicaA = startReplica("a");
        Replica replicaB = startReplica("b");
        String a = replicaA.base();
        String b = replicaB.base();
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
        String lockWaits = "pgcache_load_lock_waits_total{namespace=\"rt\"}";
        double waits = replicaA.metric(lockWaits) + replicaB.metric(lockWaits);
        assertTrue(waits >= 1, "one replica waited on the other's advisory lock; lock waits: " + waits);
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
        Process p = replicas.launch(PackagedReplicas.freePort(), log, Map.of("pgcache.namespaces.bad.upstream.url", "http://{key}.example.com/v"));
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the service should stop by itself");
        assertNotEquals(0, p.exitValue());
        String output = Files.readString(log);
        assertTrue(output.contains("pgcache.namespaces.bad.upstream.url has {key} in the scheme, host or port"), output);
        assertFalse(output.contains("Listening on"), "it never served");
    }

    /** A replica whose namespace rt reads through the slow upstream. */
    private static Replica startReplica(String name) throws Exception {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("pgcache.namespaces.rt.ttl", "60s");
        config.put("pgcache.namespaces.rt.upstream.url", upstreamServer.baseUrl() + "/values/{key}");
        config.put("pgcache.namespaces.rt.upstream.wait-timeout", "15s");
        config.put("pgcache.namespaces.rt.upstream.timeout", "10s");
        return replicas.start(name, config);
    }
}
