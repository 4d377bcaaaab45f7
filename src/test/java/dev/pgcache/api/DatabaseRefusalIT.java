package dev.pgcache.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pgcache.testing.PackagedReplicas;
import dev.pgcache.testing.PrivatePostgres;
import dev.pgcache.testing.Replica;

/**
 * Bad days (issue 16): PostgreSQL refusing the service's connections. The packaged service runs
 * as a separate process against a private PostgreSQL of this test ({@link PrivatePostgres}: these
 * cases change server-wide settings and passwords, never done to the shared server), logging in
 * with scram-sha-256 and a password read from a file. For each cause — its pool exhausted, the
 * server's max_connections reached, the password rotated — requests get 503 problem+json with
 * Retry-After whose detail names the cause, within the configured timeouts; readiness turns DOWN
 * naming it, and both come back by themselves once the cause is gone, the password by writing the
 * new one into the file, without a restart. A start while PostgreSQL refuses ends within seconds
 * with a last line naming the cause.
 *
 * <p>Runs in the integration-test phase (Failsafe), after the application is packaged.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DatabaseRefusalIT {

    private static final String DATABASE = "cache";
    private static final String ROLE = "pgcache";
    /** Connections of other clients, to fill max_connections; a role of their own, not a superuser. */
    private static final String OTHERS = "other_app";
    private static final int MAX_CONNECTIONS = 12;
    private static final int POOL_SIZE = 2;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static PrivatePostgres postgres;
    private static Path passwordFile;
    private static PackagedReplicas replicas;
    private static Replica service;
    private static String password = "first-secret";

    @BeforeAll
    static void startService() throws Exception {
        postgres = PrivatePostgres.start(Map.of("max_connections", Integer.toString(MAX_CONNECTIONS),
                "superuser_reserved_connections", "3"));
        postgres.createRole(ROLE, password);
        postgres.createRole(OTHERS, "other-secret");
        postgres.execute("CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
        passwordFile = Files.createTempFile("pgcache-password-", "");
        Files.writeString(passwordFile, password + "\n"); // as echo writes it
        replicas = new PackagedReplicas(Map.of(
                "quarkus.datasource.jdbc.url", postgres.jdbcUrl(DATABASE),
                "quarkus.datasource.username", ROLE,
                "pgcache.database.password-file", passwordFile.toString()));
        service = replicas.start("refusals", Map.of(
                "quarkus.datasource.jdbc.min-size", "1",
                "quarkus.datasource.jdbc.max-size", Integer.toString(POOL_SIZE),
                // long enough that blocked statements hold the whole pool while the test looks
                "pgcache.database.statement-timeout", "20s"));
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (replicas != null) {
            replicas.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (passwordFile != null) {
            Files.deleteIfExists(passwordFile);
        }
    }

    @BeforeEach
    void serviceIsReady() {
        awaitServing(Duration.ofSeconds(20));
    }

    @Test
    void anExhaustedPoolGives503sNamingItAndRecovers() throws Exception {
        String path = "/v1/cache/exhausted/k";
        List<CompletableFuture<HttpResponse<String>>> blocked = new ArrayList<>();
        try (Connection dba = postgres.superuser(DATABASE); Statement s = dba.createStatement()) {
            dba.setAutoCommit(false);
            // every statement on the table now waits (up to the 20 s statement timeout), holding its connection
            s.execute("LOCK TABLE pgcache.cache_entry IN ACCESS EXCLUSIVE MODE");
            for (int i = 0; i < 2 * POOL_SIZE; i++) {
                blocked.add(service.sendAsync(service.request("/v1/cache/exhausted/w" + i).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json").PUT(BodyPublishers.ofString("1"))));
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> waitingOnTheLock(dba) == POOL_SIZE);

            Timed answer = Timed.get(path);
            answer.assertUnavailable("pool is exhausted");
            // it waited for the acquisition timeout (3 s), and no longer
            assertTrue(answer.millis >= 2_500 && answer.millis < 6_000, "answered after " + answer.millis + " ms");
            Timed health = Timed.health();
            health.assertDown("pool is exhausted", "");
            assertTrue(health.millis < 6_000, "readiness answered after " + health.millis + " ms");
            dba.rollback();
        }
        awaitServing(Duration.ofSeconds(15));
        for (CompletableFuture<HttpResponse<String>> put : blocked) {
            int status = put.get(25, TimeUnit.SECONDS).statusCode();
            assertTrue(status == 201 || status == 503, "a PUT that waited for the pool answered " + status);
        }
    }

    @Test
    void maxConnectionsReachedGives503sNamingItAndRecovers() throws Exception {
        List<Connection> others = new ArrayList<>();
        try {
            fill(others, OTHERS, "other-secret");
            // the service's sessions end (as after a failover or a restart of PostgreSQL): its pool must open new ones
            takeTheServicesSlots(others);

            Timed refused = untilDetail("/v1/cache/full/k", d -> d.contains("max_connections"));
            refused.assertUnavailable("max_connections is reached (the remaining slots are reserved for superusers)");
            Timed.health().assertDown("max_connections is reached", "53300");

            // the slots kept for superusers taken as well: "too many clients"
            fill(others, "postgres", null);
            untilDetail("/v1/cache/full/k", d -> d.contains("too many clients")).assertUnavailable("max_connections");
            Timed.health().assertDown("too many clients", "53300");
        } finally {
            for (Connection c : others) {
                c.close();
            }
        }
        awaitServing(Duration.ofSeconds(15));
    }

    @Test
    void aRotatedPasswordGives503sNamingItUntilTheFileHasTheNewOneWithoutARestart() throws Exception {
        long pid = service.process().pid();
        String rotated = password.equals("first-secret") ? "second-secret" : "first-secret";
        postgres.execute("ALTER ROLE " + ROLE + " PASSWORD '" + rotated + "'");
        postgres.terminateSessionsOf(ROLE);

        Timed refused = untilDetail("/v1/cache/rotated/k", d -> d.contains("password"));
        refused.assertUnavailable("refused the service's password (SQLSTATE 28P01)");
        assertTrue(!refused.body.contains(password) && !refused.body.contains(rotated) && !refused.body.contains("127.0.0.1"),
                "the answer names no password and no host: " + refused.body);
        Timed health = Timed.health();
        health.assertDown("refused the service's password", "28P01");
        assertTrue(!health.body.contains(password) && !health.body.contains(rotated), health.body);

        Files.writeString(passwordFile, rotated + "\n");
        password = rotated;
        awaitServing(Duration.ofSeconds(15));
        assertTrue(service.process().isAlive());
        assertEquals(pid, service.process().pid(), "the same process, not restarted");
        // the near cache's own connection logs in with the new password too
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> service.metric("pgcache_near_cache_listening") == 1.0);
    }

    @Test
    void aStartWithTheWrongPasswordEndsNamingIt() throws Exception {
        Path wrong = Files.createTempFile("pgcache-wrong-password-", "");
        try {
            Files.writeString(wrong, "not-the-password");
            failedStart("wrong-password", Map.of("pgcache.database.password-file", wrong.toString()),
                    "refused the service's password (SQLSTATE 28P01)");
        } finally {
            Files.delete(wrong);
        }
    }

    @Test
    void aStartWithMaxConnectionsReachedEndsNamingIt() throws Exception {
        List<Connection> others = new ArrayList<>();
        try {
            fill(others, OTHERS, "other-secret");
            failedStart("max-connections", Map.of(), "max_connections is reached");
        } finally {
            for (Connection c : others) {
                c.close();
            }
        }
    }

    @Test
    void aStartWithPostgresDownEndsNamingIt() throws Exception {
        // nothing listens on a port just found free: a server that is down
        String down = "jdbc:postgresql://127.0.0.1:" + PackagedReplicas.freePort() + "/" + DATABASE;
        failedStart("postgres-down", Map.of("quarkus.datasource.jdbc.url", down), "it is down, restarting or unreachable (SQLSTATE 08001)");
    }

    /** Starts another service process with config, expects it to end within 60 s (a JVM start on a busy machine takes up to half of that) with status 1 and a last line naming the cause. */
    private static void failedStart(String name, Map<String, String> config, String cause) throws Exception {
        Path log = Path.of("target", "it-start-" + name + ".log");
        long start = System.nanoTime();
        Process p = replicas.launch(PackagedReplicas.freePort(), log, config);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            fail("the service still runs 60 s after a start against a refusing database:\n" + Files.readString(log));
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String output = Files.readString(log);
        assertEquals(1, p.exitValue(), output);
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("pgcache did not start: the database at 127.0.0.1:") && last.contains("(user " + ROLE + ")")
                && last.contains(cause), "the last line names the cause (" + cause + "): " + last);
        assertTrue(!output.contains(password) && !output.contains("not-the-password"), "no password in the output");
        System.out.println("start against a refusing database (" + name + ") ended after " + millis + " ms: " + last);
    }

    /** Opens connections as user until PostgreSQL refuses one with 53300 (at most 3 × max_connections tries). */
    private static void fill(List<Connection> into, String user, String pw) throws SQLException {
        for (int i = 0; i < 3 * MAX_CONNECTIONS; i++) {
            try {
                into.add(postgres.connect(DATABASE, user, pw));
            } catch (SQLException e) {
                if ("53300".equals(e.getSQLState())) {
                    return;
                }
                throw e;
            }
        }
        fail("PostgreSQL took " + into.size() + " connections without refusing one");
    }

    /**
     * Ends the service's sessions and takes the slots they free, again and again until it holds
     * none: the service reconnects as soon as a slot is free (its pool's minimum size, its
     * near-cache listener), sometimes before the slots are taken. A backend still authenticating
     * has no user yet, so one of those also means another round.
     */
    private static void takeTheServicesSlots(List<Connection> others) throws SQLException {
        for (int round = 0; round < 50; round++) {
            boolean ended = postgres.terminateSessionsOf(ROLE) > 0;
            fill(others, OTHERS, "other-secret");
            if (!ended && authenticating() == 0 && postgres.terminateSessionsOf(ROLE) == 0) {
                return;
            }
        }
        fail("the service kept taking the slots its ended sessions freed");
    }

    private static int authenticating() throws SQLException {
        try (Connection c = postgres.superuser(DATABASE); Statement s = c.createStatement(); var rs = s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename IS NULL")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int waitingOnTheLock(Connection dba) throws SQLException {
        try (Statement s = dba.createStatement(); var rs = s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgcache' AND wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** GETs path until a 503's detail matches (a pooled connection may first fail on its ended session); each answer a 503. */
    private static Timed untilDetail(String path, Predicate<String> detail) throws Exception {
        Timed last = null;
        for (int i = 0; i < 10; i++) {
            last = Timed.get(path);
            last.assertUnavailable("");
            if (detail.test(last.json.path("detail").asText())) {
                return last;
            }
        }
        fail("no 503 named the cause in 10 requests; the last: " + last.body);
        return last;
    }

    private static void awaitServing(Duration within) {
        Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            HttpResponse<String> put = service.send(service.request("/v1/cache/alive/k").header("Content-Type", "application/json")
                    .PUT(BodyPublishers.ofString("1")));
            return put.statusCode() / 100 == 2 && service.get("/q/health/ready").statusCode() == 200;
        });
    }

    /** One answer of the service and how long it took. */
    private record Timed(HttpResponse<String> response, String body, JsonNode json, long millis) {

        static Timed get(String path) throws IOException, InterruptedException {
            Timed t = of(() -> service.get(path));
            System.out.println("GET " + path + ": " + t.response.statusCode() + " after " + t.millis + " ms: "
                    + t.json.path("detail").asText());
            return t;
        }

        static Timed health() throws IOException, InterruptedException {
            return of(() -> service.get("/q/health/ready"));
        }

        interface Call {
            HttpResponse<String> send() throws IOException, InterruptedException;
        }

        static Timed of(Call call) throws IOException, InterruptedException {
            long start = System.nanoTime();
            HttpResponse<String> r = call.send();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            return new Timed(r, r.body(), JSON.readTree(r.body()), millis);
        }

        /** A 503 database-unavailable problem with Retry-After whose detail contains cause, within the bounds (< 6 s). */
        void assertUnavailable(String cause) {
            assertEquals(503, response.statusCode(), body);
            assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""), body);
            assertEquals("2", response.headers().firstValue("Retry-After").orElse(""), body);
            assertEquals("urn:pgcache:problem:database-unavailable", json.path("type").asText(), body);
            assertTrue(json.path("detail").asText().contains(cause), "the detail names " + cause + ": " + body);
            assertTrue(millis < 6_000, "answered after " + millis + " ms: " + body);
        }

        /** Readiness DOWN (503), its pgcache-database check DOWN with a cause containing cause and the SQLSTATE. */
        void assertDown(String cause, String sqlState) {
            assertEquals(503, response.statusCode(), body);
            assertEquals("DOWN", json.path("status").asText(), body);
            JsonNode check = null;
            for (JsonNode c : json.path("checks")) {
                if (c.path("name").asText().equals("pgcache-database")) {
                    check = c;
                }
            }
            assertTrue(check != null, "a pgcache-database check: " + body);
            assertEquals("DOWN", check.path("status").asText(), body);
            assertTrue(check.path("data").path("cause").asText().contains(cause), "the check names " + cause + ": " + body);
            assertEquals(sqlState, check.path("data").path("sqlstate").asText(), body);
            assertTrue(millis < 6_000, "readiness answered after " + millis + " ms: " + body);
            System.out.println("readiness DOWN after " + millis + " ms: " + check.path("data"));
        }
    }
}
