package dev.pgcache.entry;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.AtOnce;
import dev.pgcache.testing.TestDatabase;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.restassured.http.ContentType;

/**
 * Durability per namespace, seen from inside the write's own transaction: a row trigger added
 * to cache_entry for these tests records current_setting('synchronous_commit') for every row a
 * statement writes, at the end of that statement, in its transaction (the value its commit
 * obeys), and the WAL's insert position then. A relaxed write's transaction commits with
 * synchronous_commit off (WriteStatements.COMMIT_NO_WAIT); a strict one, and every invalidation,
 * with the server's own setting, so its commit waits for the flush and when its answer arrives the
 * WAL is flushed past the write's own records, which the tests check at once, before the WAL
 * writer's next round (wal_writer_delay) could have flushed them anyway.
 * relaxed-writes (application.properties) and rt-relaxed (UpstreamTestResource) are
 * durability=relaxed; every other namespace is strict. DatabaseCrashIT shows what each loses.
 */
@QuarkusTest
class DurabilityTest {

    private static final String RELAXED = "relaxed-writes";
    private static final String STRICT = "strict-writes";

    private static final java.util.concurrent.atomic.AtomicInteger NEXT = new java.util.concurrent.atomic.AtomicInteger();

    private String serverDefault;

    @Inject
    AgroalDataSource pool;

    private static String fresh(String purpose) {
        return purpose + "-" + System.nanoTime() % 1_000_000 + "-" + NEXT.incrementAndGet();
    }

    @BeforeEach
    void recordEachWritesCommitSetting() {
        TestDatabase.execute("DROP TABLE IF EXISTS public.commit_setting_log");
        TestDatabase.execute("CREATE TABLE public.commit_setting_log (namespace text, cache_key text, op text, setting text, lsn pg_lsn)");
        TestDatabase.execute("TRUNCATE public.commit_setting_log");
        TestDatabase.execute("""
                CREATE OR REPLACE FUNCTION public.log_commit_setting() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO public.commit_setting_log
                    VALUES (coalesce(NEW.namespace, OLD.namespace), coalesce(NEW.cache_key, OLD.cache_key), TG_OP,
                            current_setting('synchronous_commit'), pg_current_wal_insert_lsn());
                    RETURN NULL;
                END $$""");
        TestDatabase.execute("CREATE OR REPLACE TRIGGER log_commit_setting AFTER INSERT OR UPDATE OR DELETE ON pgcache.cache_entry "
                + "FOR EACH ROW EXECUTE FUNCTION public.log_commit_setting()");
        serverDefault = (String) TestDatabase.scalar("SELECT current_setting('synchronous_commit')");
        assertNotEquals("off", serverDefault, "the test server must commit synchronously: a strict write relies on it");
    }

    @AfterEach
    void stopRecording() {
        TestDatabase.execute("DROP TRIGGER IF EXISTS log_commit_setting ON pgcache.cache_entry");
    }

    /** The settings the writes of one key were committed with, in order. */
    private static List<String> settings(String namespace, String key) throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement("SELECT op || ':' || setting FROM public.commit_setting_log "
                        + "WHERE namespace = ? AND cache_key = ? ORDER BY ctid")) {
            ps.setString(1, namespace);
            ps.setString(2, key);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    private static void put(String ns, String key, String body) {
        given().contentType(ContentType.JSON).body(body).put("/v1/cache/" + ns + "/" + key).then().statusCode(201);
    }

    /** Whether the WAL is flushed past every recorded write of the keys (a LIKE pattern) now. */
    private static boolean flushed(String namespace, String keys) throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) > 0 AND bool_and(pg_current_wal_flush_lsn() > lsn) "
                        + "FROM public.commit_setting_log WHERE namespace = ? AND cache_key LIKE ?")) {
            ps.setString(1, namespace);
            ps.setString(2, keys);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    @Test
    void aRelaxedPutCommitsWithoutWaitingAndAStrictOneIsAnsweredOnlyOnceFlushed() throws SQLException {
        String key = fresh("put");
        put(RELAXED, key, "1");
        put(STRICT, key, "1");
        assertTrue(flushed(STRICT, key), "the strict PUT's WAL was flushed before its 201");
        assertEquals(List.of("INSERT:off"), settings(RELAXED, key));
        assertEquals(List.of("INSERT:" + serverDefault), settings(STRICT, key), "committed as the server is configured");
        for (int i = 0; i < 5; i++) {
            String again = key + "-" + i;
            put(STRICT, again, "1");
            assertTrue(flushed(STRICT, again), "strict PUT " + i);
        }
    }

    @Test
    void everyKindOfWriteFollowsItsNamespace() throws SQLException {
        String key = fresh("kinds");
        put(RELAXED, key, "1");
        String etag = given().get("/v1/cache/" + RELAXED + "/" + key).then().statusCode(200).extract().header("ETag");
        given().contentType(ContentType.JSON).header("If-Match", etag).body("2").put("/v1/cache/" + RELAXED + "/" + key).then().statusCode(200);
        given().contentType(ContentType.JSON).header("If-None-Match", "\"1\"").body("3").put("/v1/cache/" + RELAXED + "/" + key)
                .then().statusCode(200);
        given().post("/v1/cache/" + RELAXED + "/" + key + "/touch?ttl=60").then().statusCode(200);
        assertEquals(List.of("INSERT:off", "UPDATE:off", "UPDATE:off", "UPDATE:off"), settings(RELAXED, key),
                "a PUT, one with If-Match, one with If-None-Match, a touch");

        String body = "{\"entries\":[{\"key\":\"" + key + "-a\",\"value\":1},{\"key\":\"" + key + "-b\",\"value\":2}]}";
        for (String ns : List.of(RELAXED, STRICT)) {
            given().contentType(ContentType.JSON).body(body).post("/v1/cache/" + ns + "/batch-put").then().statusCode(200);
        }
        assertTrue(flushed(STRICT, key + "-%"), "the strict batch's WAL was flushed before its 200");
        assertEquals(List.of("INSERT:off"), settings(RELAXED, key + "-b"));
        assertEquals(List.of("INSERT:" + serverDefault), settings(STRICT, key + "-a"));

        String touched = fresh("touch");
        put(STRICT, touched, "1");
        given().post("/v1/cache/" + STRICT + "/" + touched + "/touch?ttl=60").then().statusCode(200);
        assertTrue(flushed(STRICT, touched), "the strict touch's WAL was flushed before its 200");
        assertEquals(List.of("INSERT:" + serverDefault, "UPDATE:" + serverDefault), settings(STRICT, touched));
    }

    @Test
    void invalidationsAreAnsweredOnlyOnceFlushedWhateverTheNamespacesLevel() throws SQLException {
        String key = fresh("gone");
        for (String ns : List.of(RELAXED, STRICT)) {
            put(ns, key, "1");
            put(ns, key + "-p1", "1");
            put(ns, key + "-p2", "1");
            given().delete("/v1/cache/" + ns + "/" + key).then().statusCode(204);
            assertTrue(flushed(ns, key), "the DELETE's WAL was flushed before its 204 in " + ns);
            given().delete("/v1/cache/" + ns + "?prefix=" + key + "-p").then().statusCode(200);
            assertTrue(flushed(ns, key + "-p%"), "the prefix invalidation's WAL was flushed before its 200 in " + ns);
            String written = ns.equals(RELAXED) ? "off" : serverDefault;
            assertEquals(List.of("INSERT:" + written, "DELETE:" + serverDefault), settings(ns, key), "a delete always commits as configured");
        }
    }

    @Test
    void readThroughStoresFollowTheirNamespace() throws SQLException {
        String key = fresh("load");
        given().urlEncodingEnabled(false).get("/v1/cache/rt-relaxed/" + key).then().statusCode(200).header("X-Cache", "MISS");
        given().urlEncodingEnabled(false).get("/v1/cache/rt/" + key).then().statusCode(200).header("X-Cache", "MISS");
        assertTrue(flushed("rt", key), "the strict store's WAL was flushed before the answer");
        assertEquals(List.of("INSERT:off"), settings("rt-relaxed", key), "stored under the load lock, in the load's transaction");
        assertEquals(List.of("INSERT:" + serverDefault), settings("rt", key));
    }

    @Test
    void concurrentWritesOfBothLevelsAreEachMadeDurableAsTheirNamespaceAsks() throws Exception {
        // enough at once that the write coalescer sends several PUTs per statement; each statement holds one namespace
        String prefix = fresh("mix");
        List<Callable<Integer>> puts = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String ns = i % 2 == 0 ? RELAXED : STRICT;
            String key = prefix + "-" + i;
            puts.add(() -> given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/" + key).statusCode());
        }
        assertEquals(List.of(201), AtOnce.run(puts).stream().distinct().toList());
        assertTrue(flushed(STRICT, prefix + "-%"), "every strict PUT's WAL was flushed before its 201");
        Map<String, String> byNamespace = new TreeMap<>();
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement("SELECT namespace, string_agg(DISTINCT setting, ',') FROM public.commit_setting_log "
                        + "WHERE cache_key LIKE ? GROUP BY namespace")) {
            ps.setString(1, prefix + "-%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byNamespace.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        assertEquals(Map.of(RELAXED, "off", STRICT, serverDefault), byNamespace);
    }

    @Test
    void aStrictWriteWaitsForItsFlushEvenWhereTheSessionsDefaultIsOff() throws SQLException {
        String db = TestDatabase.name();
        TestDatabase.execute("ALTER DATABASE " + db + " SET synchronous_commit = off");
        try {
            newSessions();
            assertEquals("off", TestDatabase.scalar("SELECT current_setting('synchronous_commit')"), "a new session's default");
            String key = fresh("default-off");
            put(RELAXED, key, "1");
            put(STRICT, key, "1");
            assertTrue(flushed(STRICT, key), "the strict PUT's WAL was flushed before its 201");
            given().delete("/v1/cache/" + RELAXED + "/" + key).then().statusCode(204);
            assertTrue(flushed(RELAXED, key), "the DELETE's WAL was flushed before its 204");
            assertEquals(List.of("INSERT:off", "DELETE:on"), settings(RELAXED, key));
            assertEquals(List.of("INSERT:on"), settings(STRICT, key), "raised to on, not left at the session's off");
        } finally {
            TestDatabase.execute("ALTER DATABASE " + db + " RESET synchronous_commit");
            newSessions();
        }
    }

    /**
     * Every server session of the test database is replaced, so the database's settings apply: the
     * server's sessions are ended (a pooler such as PgBouncer opens new ones), then every connection
     * of the pool is closed, in that order, so that none opened before the end stays behind to fail
     * the next test's request; then writes are tried until one works on a new session.
     */
    private void newSessions() {
        TestDatabase.scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        pool.flush(AgroalDataSource.FlushMode.ALL);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> given().contentType(ContentType.JSON).body("1")
                .put("/v1/cache/" + STRICT + "/" + fresh("reconnect")).statusCode() == 201);
    }

    @Test
    void statsAndMetricsTellEachNamespacesLevel() {
        put(RELAXED, fresh("stats"), "1");
        put(STRICT, fresh("stats"), "1");
        given().get("/v1/stats").then().statusCode(200)
                .body("namespaces.'" + RELAXED + "'.durability", is("relaxed"), "namespaces.'" + STRICT + "'.durability", is("strict"));
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("pgcache_namespace_durability{level=\"relaxed\",namespace=\"" + RELAXED + "\"} 1.0"));
    }
}
