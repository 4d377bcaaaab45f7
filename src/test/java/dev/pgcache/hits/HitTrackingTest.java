package dev.pgcache.hits;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.Namespaces;
import io.agroal.api.AgroalDataSource;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Hits are counted in memory and reach hit_count and last_hit_at only when flushed; a read never writes. */
@QuarkusTest
class HitTrackingTest {

    @Inject
    HitFlusher flusher;

    @Inject
    HitTracker tracker;

    @Inject
    AgroalDataSource dataSource;

    private String ns;

    @BeforeEach
    void freshNamespace() {
        flusher.flush(); // nothing left over from other tests
        ns = Namespaces.fresh("hits");
    }

    private void put(String key, String query) {
        given().contentType(ContentType.JSON).body("{\"v\":1}").put("/v1/cache/" + ns + "/" + key + query).then().statusCode(201);
    }

    private void get(String key, int status) {
        given().get("/v1/cache/" + ns + "/" + key).then().statusCode(status);
    }

    private long hitCount(String key) {
        return ((Number) TestDatabase.scalar("SELECT hit_count FROM pgcache.cache_entry WHERE namespace = ? AND cache_key = ?", ns, key))
                .longValue();
    }

    private Object lastHitAt(String key) {
        return TestDatabase.scalar("SELECT last_hit_at FROM pgcache.cache_entry WHERE namespace = ? AND cache_key = ?", ns, key);
    }

    /** last_hit_at lies between the write (fetched_at) and the database's now. */
    private boolean hitBetweenWriteAndNow(String key) {
        return (Boolean) TestDatabase.scalar("SELECT last_hit_at BETWEEN fetched_at AND now() FROM pgcache.cache_entry "
                + "WHERE namespace = ? AND cache_key = ?", ns, key);
    }

    private String xmin(String key) {
        return (String) TestDatabase.scalar("SELECT xmin::text FROM pgcache.cache_entry WHERE namespace = ? AND cache_key = ?", ns, key);
    }

    @Test
    void hitsAndStaleHitsAppearAfterAFlush() {
        put("a", "");
        put("b", "?ttl=60&stale=600");
        TestDatabase.setLifetime(ns, "b", -5, 300L); // b is now stale
        for (int i = 0; i < 3; i++) {
            get("a", 200);
        }
        get("b", 200);
        get("missing", 404);
        assertEquals(0, hitCount("a"), "nothing is written before the flush");
        assertNull(lastHitAt("a"));
        assertEquals(2, tracker.pending());

        assertEquals(2, flusher.flush(), "one flush updates both entries");

        assertEquals(3, hitCount("a"));
        assertEquals(1, hitCount("b"), "a stale hit is a hit");
        assertNotNull(lastHitAt("a"));
        assertTrue(hitBetweenWriteAndNow("a"), "last_hit_at is the database instant of the read, between the write and now");
        Object first = lastHitAt("a");
        assertEquals(0, tracker.pending());

        get("a", 200);
        assertEquals(1, flusher.flush());
        assertEquals(4, hitCount("a"), "later flushes add to the count");
        assertTrue((Boolean) TestDatabase.scalar("SELECT last_hit_at > ? FROM pgcache.cache_entry WHERE namespace = ? AND cache_key = 'a'",
                first, ns), "last_hit_at moves on with the latest read");
    }

    @Test
    void aBatchGetCountsAHitOnEachEntryItFound() {
        put("a", "");
        put("b", "");
        given().contentType(ContentType.JSON).body("{\"keys\":[\"a\",\"b\",\"missing\"]}")
                .post("/v1/cache/" + ns + "/batch-get").then().statusCode(200);
        // a key is asked at most once per batch (twice is a 400): ask it again in a second one
        given().contentType(ContentType.JSON).body("{\"keys\":[\"a\"]}").post("/v1/cache/" + ns + "/batch-get").then().statusCode(200);
        flusher.flush();
        assertEquals(2, hitCount("a"), "asked in two batches");
        assertEquals(1, hitCount("b"));
    }

    @Test
    void aReadDoesNotWriteTheRow() {
        put("k", "");
        String before = xmin("k");
        for (int i = 0; i < 5; i++) {
            get("k", 200);
        }
        assertEquals(before, xmin("k"), "GET left the row untouched: same row version (xmin)");
        flusher.flush();
        assertEquals(5, hitCount("k"));
    }

    @Test
    void hitsOnAReplacedValueAreNotCountedForTheNewOne() {
        put("k", "");
        get("k", 200);
        get("k", 200);
        given().contentType(ContentType.JSON).body("2").put("/v1/cache/" + ns + "/k").then().statusCode(200);
        assertEquals(0, flusher.flush(), "the hits were on the version that was replaced");
        assertEquals(0, hitCount("k"));
        get("k", 200);
        flusher.flush();
        assertEquals(1, hitCount("k"));
    }

    @Test
    void hitsOnADeletedEntryAreDropped() {
        put("k", "");
        get("k", 200);
        given().delete("/v1/cache/" + ns + "/k").then().statusCode(204);
        assertEquals(0, flusher.flush());
        assertEquals(0, tracker.pending());
    }

    @Test
    void hitsAreKeptWhileTheDatabaseIsAwayAndFlushedWhenItIsBack() {
        put("k", "");
        get("k", 200);
        get("k", 200);
        TestDatabase.goAway();
        try {
            assertEquals(0, flusher.flush(), "the flush fails quietly");
            assertEquals(1, tracker.pending(), "and keeps the hits");
        } finally {
            TestDatabase.comeBack();
            dataSource.flush(AgroalDataSource.FlushMode.ALL); // the pooled connections were killed; later tests need new ones
        }
        // a flush may still draw a connection the outage killed; it fails, keeps the hits, and a later one succeeds
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> flusher.flush() == 1);
        assertEquals(2, hitCount("k"));
    }

    @Test
    void nothingIndexesTheHitColumnsSoTheFlushCanBeHot() {
        // An index on hit_count or last_hit_at would make every flushed hit a non-HOT update that
        // writes a new entry into every index of the table (see V2__cache_summary_and_eviction.sql).
        Object indexed = TestDatabase.scalar("""
                SELECT string_agg(i.indexrelid::regclass::text, ', ')
                FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid
                WHERE i.indrelid = 'pgcache.cache_entry'::regclass AND a.attname IN ('hit_count', 'last_hit_at')
                  AND (a.attnum = ANY (i.indkey) OR pg_get_expr(i.indexprs, i.indrelid) LIKE '%' || a.attname || '%'
                       OR pg_get_expr(i.indpred, i.indrelid) LIKE '%' || a.attname || '%')""");
        assertNull(indexed, "indexes on the hit columns: " + indexed);
        String options = String.valueOf(TestDatabase.scalar("SELECT reloptions::text FROM pg_class WHERE oid = 'pgcache.cache_entry'::regclass"));
        assertTrue(options.contains("fillfactor=85"), "free space on each page for HOT updates: " + options);
    }
}
