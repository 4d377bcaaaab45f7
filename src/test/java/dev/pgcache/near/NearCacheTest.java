package dev.pgcache.near;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.hits.HitFlusher;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.http.Header;
import io.restassured.response.Response;

/**
 * The near cache in one replica: what it answers (exactly what the table would, but for where it
 * came from), and that every committed change reaches it, whoever made it, including a DBA over
 * JDBC; nothing of a rolled-back one; and that a killed listener stops it from answering.
 */
@QuarkusTest
class NearCacheTest {

    private static final Duration BOUND = Duration.ofSeconds(1); // pgcache.near-cache.max-lag

    @Inject
    NearReads nearReads;

    @Inject
    HitFlusher hits;

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("near");
        await().atMost(Duration.ofSeconds(10)).until(this::listening);
    }

    private boolean listening() {
        return given().get("/q/metrics").asString().contains("pgcache_near_cache_listening 1.0");
    }

    private void put(String key, String json, String query) {
        given().contentType(ContentType.JSON).header("X-Revision", "3").body(json)
                .put("/v1/cache/" + ns + "/" + key + query).then().statusCode(201);
    }

    private Response get(String key) {
        return given().get("/v1/cache/" + ns + "/" + key);
    }

    private static String source(Response r) {
        String status = r.header("Cache-Status");
        return status == null ? null : status.replaceAll(".*detail=", "");
    }

    private static Map<String, String> headersBesidesTime(Response r) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Header h : r.getHeaders()) {
            if (!h.getName().equalsIgnoreCase("Age") && !h.getName().equalsIgnoreCase("Date")) {
                headers.put(h.getName(), h.getValue());
            }
        }
        return headers;
    }

    @Test
    void theSecondReadIsAnsweredFromMemoryWithTheTablesAnswer() {
        put("k", "{\"v\": [1, 2]}", "?ttl=60&stale=30");
        Response fromTable = get("k");
        Response fromMemory = get("k");
        assertEquals("table", source(fromTable));
        assertEquals("memory", source(fromMemory));
        assertEquals(200, fromMemory.statusCode());
        assertEquals(fromTable.asString(), fromMemory.asString());
        Map<String, String> expected = headersBesidesTime(fromTable);
        expected.put("Cache-Status", expected.get("Cache-Status").replace("detail=table", "detail=memory"));
        assertEquals(expected, headersBesidesTime(fromMemory));
        fromMemory.then().header("X-Cache", "HIT").header("X-Revision", "3").header("Date", containsString("GMT"))
                .header("Cache-Control", "max-age=60, stale-while-revalidate=30, stale-if-error=30");
        // the same through JAX-RS (a query parameter sends it there)
        given().get("/v1/cache/" + ns + "/k?min-revision=3").then().statusCode(200)
                .header("Cache-Status", containsString("detail=memory"));
        // hits from memory count like any other: three reads, three hits in the namespace's metrics and in hit_count
        org.hamcrest.MatcherAssert.assertThat(given().get("/q/metrics").asString(),
                containsString("pgcache_hits_total{namespace=\"" + ns + "\"} 3.0"));
        hits.flush();
        assertEquals(3L, ((Number) TestDatabase.scalar(
                "SELECT hit_count FROM pgcache.cache_entry WHERE namespace = ? AND cache_key = 'k'", ns)).longValue());
    }

    @Test
    void aConditionalReadFromMemoryIs304() {
        put("k", "{\"v\": 1}", "");
        String etag = get("k").header("ETag");
        given().header("If-None-Match", etag).get("/v1/cache/" + ns + "/k").then().statusCode(304)
                .header("Cache-Status", containsString("detail=memory")).body(emptyString());
    }

    @Test
    void noCacheReadsTheTable() {
        put("k", "{\"v\": 1}", "");
        get("k");
        assertEquals("memory", source(get("k")));
        Response r = given().header("Cache-Control", "no-cache").get("/v1/cache/" + ns + "/k");
        assertEquals("table", source(r));
        assertEquals(200, r.statusCode());
    }

    @Test
    void aNamespaceSwitchedOffIsAlwaysReadFromTheTable() {
        String key = Namespaces.fresh("k");
        given().contentType(ContentType.JSON).body("1").put("/v1/cache/near-off/" + key).then().statusCode(201);
        given().get("/v1/cache/near-off/" + key);
        given().get("/v1/cache/near-off/" + key).then().statusCode(200).header("Cache-Status", containsString("detail=table"));
    }

    @Test
    void thisReplicasWritesAreReadBackAtOnce() {
        put("k", "{\"v\": 1}", "");
        get("k");
        assertEquals("memory", source(get("k")));
        for (int i = 2; i < 30; i++) {
            given().contentType(ContentType.JSON).body("{\"v\": " + i + "}").put("/v1/cache/" + ns + "/k").then().statusCode(200);
            get("k").then().body("v", equalTo(i));
            get("k").then().body("v", equalTo(i));
        }
        given().delete("/v1/cache/" + ns + "/k").then().statusCode(204);
        get("k").then().statusCode(404);
        put("p-1", "1", "");
        get("p-1");
        given().delete("/v1/cache/" + ns + "?prefix=p-").then().statusCode(200);
        get("p-1").then().statusCode(404);
    }

    @Test
    void aDbasUpdateDeleteAndTruncateAreFollowed() throws Exception {
        put("k", "{\"v\": 1}", "");
        get("k");
        assertEquals("memory", source(get("k")));
        TestDatabase.execute("UPDATE pgcache.cache_entry SET value = '{\"v\": 2}' WHERE namespace = ? AND cache_key = 'k'", ns);
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        get("k").then().statusCode(200).body("v", equalTo(2));

        get("k");
        assertEquals("memory", source(get("k")));
        TestDatabase.execute("DELETE FROM pgcache.cache_entry WHERE namespace = ? AND cache_key = 'k'", ns);
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        get("k").then().statusCode(404);

        // an UPDATE in a transaction that rolls back: nothing is announced, the copy stays
        put("t", "{\"v\": 1}", "");
        get("t");
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("UPDATE pgcache.cache_entry SET value = '{\"v\": 9}' WHERE namespace = '" + ns + "'");
            c.rollback();
        }
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        Response kept = get("t");
        assertEquals("memory", source(kept));
        kept.then().body("v", equalTo(1));
    }

    @Test
    void aTruncateEmptiesTheNearCache() {
        // TRUNCATE takes every other test's rows too: this test's own namespace is all it looks at
        put("k", "{\"v\": 1}", "");
        get("k");
        assertEquals("memory", source(get("k")));
        TestDatabase.execute("TRUNCATE pgcache.cache_entry");
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        get("k").then().statusCode(404);
    }

    @Test
    void theHitFlushLeavesCopiesInPlace() {
        put("k", "{\"v\": 1}", "");
        get("k");
        get("k");
        assertTrue(hits.flush() > 0);
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        assertEquals("memory", source(get("k")));
    }

    @Test
    void expiryIsJudgedOnTheDatabasesClockFromMemoryToo() {
        put("k", "{\"v\": 1}", "?ttl=1&stale=2");
        get("k");
        assertEquals("memory", source(get("k")));
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() -> "STALE".equals(get("k").header("X-Cache")));
        Response stale = get("k");
        assertEquals("memory", source(stale));
        stale.then().statusCode(200).header("Cache-Status", containsString("ttl=-"));
        await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(50)).until(() -> get("k").statusCode() == 404);
    }

    @Test
    void aKilledListenerStopsAnswersFromMemoryUntilItListensAgain() {
        put("k", "{\"v\": 1}", "");
        get("k");
        assertEquals("memory", source(get("k")));
        Object killed = TestDatabase.scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                + "WHERE application_name = 'pgcache-near-listener' AND datname = current_database()");
        assertEquals(1L, ((Number) killed).longValue());
        // a change nobody is told of: the copy must not be answered once the bound has passed
        TestDatabase.execute("UPDATE pgcache.cache_entry SET value = '{\"v\": 2}' WHERE namespace = ? AND cache_key = 'k'", ns);
        long changed = System.nanoTime();
        boolean oldSeenPastBound = false;
        boolean sawTable = false;
        while (System.nanoTime() - changed < Duration.ofSeconds(3).toNanos()) {
            Response r = get("k");
            int v = r.jsonPath().getInt("v");
            if (v == 1 && System.nanoTime() - changed > BOUND.toNanos()) {
                oldSeenPastBound = true;
            }
            sawTable |= "table".equals(source(r));
            if (v == 2 && sawTable && listening() && "memory".equals(source(get("k")))) {
                break;
            }
        }
        assertTrue(!oldSeenPastBound, "the old value was answered more than the bound after the change");
        assertTrue(sawTable, "the replica answered from the table while it was not listening");
        await().atMost(Duration.ofSeconds(10)).until(this::listening);
        get("k");
        Response again = get("k");
        assertEquals("memory", source(again));
        again.then().body("v", equalTo(2));
    }

    @Test
    void aTriggerDisabledAndEnabledAgainInOneTransactionStillEmptiesTheNearCache() throws Exception {
        put("k", "{\"v\": 1}", "");
        get("k");
        assertEquals("memory", source(get("k")));
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("ALTER TABLE pgcache.cache_entry DISABLE TRIGGER cache_entry_log_update");
            s.execute("UPDATE pgcache.cache_entry SET value = '{\"v\": 2}' WHERE namespace = '" + ns + "' AND cache_key = 'k'");
            s.execute("ALTER TABLE pgcache.cache_entry ENABLE ALWAYS TRIGGER cache_entry_log_update");
            c.commit();
        }
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        get("k").then().statusCode(200).body("v", equalTo(2));
    }

    @Test
    void changesUnderTheReplicationRoleAreFollowedToo() throws Exception {
        put("k", "{\"v\": 1}", "");
        get("k");
        assertEquals("memory", source(get("k")));
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("SET session_replication_role = replica"); // as logical replication's apply workers write
            s.execute("UPDATE pgcache.cache_entry SET value = '{\"v\": 3}' WHERE namespace = '" + ns + "' AND cache_key = 'k'");
        }
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        get("k").then().statusCode(200).body("v", equalTo(3));
    }

    @Test
    void disabledChangeTriggersStopAnswersFromMemory() throws Exception {
        put("k", "{\"v\": 1}", "");
        get("k");
        assertEquals("memory", source(get("k")));
        try {
            TestDatabase.execute("ALTER TABLE pgcache.cache_entry DISABLE TRIGGER cache_entry_log_update");
            await().atMost(Duration.ofSeconds(3)).until(() -> !listening());
            get("k");
            assertEquals("table", source(get("k")));
        } finally {
            TestDatabase.execute("ALTER TABLE pgcache.cache_entry ENABLE ALWAYS TRIGGER cache_entry_log_update");
        }
        await().atMost(Duration.ofSeconds(3)).until(this::listening);
        get("k");
        assertEquals("memory", source(get("k")));
    }
}
