package dev.pgcache.purge;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.hits.HitFlusher;
import dev.pgcache.metrics.TableStats;
import dev.pgcache.testing.Rows;
import dev.pgcache.testing.StorageLimits;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The cap on the whole table (pgcache.storage.max-entries=50, max-bytes=10000 in
 * {@link StorageLimits}): purge brings the table under it, counting every namespace, declared or
 * not, evicting from one queue across namespaces, after each namespace's own bound
 * (bounded-entries, max-entries=10, from application.properties).
 */
@QuarkusTest
@TestProfile(StorageLimits.class)
class TableCapTest {

    @Inject
    PurgeJob purgeJob;

    @Inject
    HitFlusher hits;

    @Inject
    TableStats tableStats;

    @BeforeEach
    void emptyTable() {
        TestDatabase.execute("DELETE FROM pgcache.cache_entry");
    }

    /** count rows of the namespace, keys ns-0001 … written one second apart, starting minutesAgo ago, each sizeBytes large. */
    private static void insert(String namespace, int count, int minutesAgo, int sizeBytes) {
        TestDatabase.execute("INSERT INTO pgcache.cache_entry (namespace, cache_key, value, fetched_at, size_bytes) "
                + "SELECT ?, ? || '-' || lpad(i::text, 4, '0'), to_jsonb(i), now() - make_interval(mins => ?) + make_interval(secs => i), ? "
                + "FROM generate_series(1, ?) AS i", namespace, namespace, minutesAgo, sizeBytes, count);
    }

    private static long total() {
        return ((Number) TestDatabase.scalar("SELECT count(*) FROM pgcache.cache_entry")).longValue();
    }

    private static List<String> keys(String namespace) {
        String joined = (String) TestDatabase.scalar(
                "SELECT string_agg(cache_key, ',' ORDER BY cache_key) FROM pgcache.cache_entry WHERE namespace = ?", namespace);
        return joined == null ? List.of() : List.of(joined.split(","));
    }

    private static List<String> range(String namespace, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(namespace + "-%04d".formatted(i));
        }
        return out;
    }

    @Test
    void undeclaredNamespacesCountAndTheTablesOldestUnreadRowsGoFirst() {
        insert("cap-a", 30, 10, 10); // older
        insert("cap-b", 30, 5, 10);  // newer; 60 rows in all, the cap is 50
        given().get("/v1/cache/cap-a/cap-a-0001").then().statusCode(200);
        assertTrue(hits.flush() >= 1);

        PurgeReport report = purgeJob.runOnce();
        assertEquals(10, report.evictedForCap());
        assertEquals(Map.of("cap-a", 10L), report.evictedForCapByNamespace());
        assertEquals(0, report.evicted(), "no namespace bound is involved");
        assertEquals(50, total());
        List<String> expected = new ArrayList<>(List.of("cap-a-0001")); // read: a second chance
        expected.addAll(range("cap-a", 12, 30));
        assertEquals(expected, keys("cap-a"));
        assertEquals(30, keys("cap-b").size());

        tableStats.refresh();
        given().get("/v1/stats").then().statusCode(200)
                .body("namespaces.'cap-a'.evictedForCap", is(10), "namespaces.'cap-a'.evicted", is(0),
                        "namespaces.'cap-a'.entries", is(20), "namespaces.'cap-a'.bytes", is(200),
                        "namespaces.'cap-a'.durability", is("strict"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("pgcache_evicted_cap_total{namespace=\"cap-a\"} 10.0"));
    }

    @Test
    void aNamespacesOwnBoundAndTheCapBothHold() {
        Rows.clear("bounded-entries");
        insert("bounded-entries", 30, 10, 10); // its bound is 10
        insert("cap-c", 45, 5, 10);
        PurgeReport report = purgeJob.runOnce();
        assertEquals(20, report.evicted(), "the namespace's bound first");
        assertEquals(5, report.evictedForCap(), "then the table's: 55 rows left, 50 allowed");
        assertEquals(Map.of("bounded-entries", 5L), report.evictedForCapByNamespace(), "the oldest in the table's queue");
        assertEquals(range("bounded-entries", 26, 30), keys("bounded-entries"));
        assertEquals(45, keys("cap-c").size());
        assertEquals(50, total());
        assertEquals(0, purgeJob.runOnce().evictedForCap(), "under both now: nothing more goes");
    }

    @Test
    void theByteCapHoldsToo() {
        insert("cap-d", 30, 10, 500); // 15,000 bytes, the cap is 10,000
        PurgeReport report = purgeJob.runOnce();
        assertEquals(10, report.evictedForCap());
        assertEquals(range("cap-d", 11, 30), keys("cap-d"));
        assertEquals(10_000L, ((Number) TestDatabase.scalar("SELECT sum(size_bytes) FROM pgcache.cache_entry")).longValue());
    }

    @Test
    void underTheCapSizeAwareEvictionTakesLargeUnreadRowsOfAnyNamespaceBeforeSmallReadOnes() {
        Rows.clear("bounded-entries");
        insert("bounded-entries", 12, 20, 10); // its own bound is 10: the oldest two go first, all being alike
        insert("cap-small", 30, 10, 100); // the oldest in the table's queue, 3,000 bytes, one of them read
        insert("cap-large", 10, 5, 900);  // newer, 9,000 bytes, unread: 12,000 + 100 bytes in all, the cap is 10,000
        given().get("/v1/cache/cap-small/cap-small-0001").then().statusCode(200);
        assertTrue(hits.flush() >= 1);
        PurgeReport report = purgeJob.runOnce();
        assertEquals(2, report.evicted(), "the namespace's bound first");
        assertEquals(Map.of("cap-large", 3L), report.evictedForCapByNamespace(),
                "the lightest per byte: 2,700 bytes of large unread rows free the 2,100 over, where oldest-first would take 21 small rows");
        assertEquals(range("cap-large", 4, 10), keys("cap-large"), "among equals, queue order");
        assertEquals(30, keys("cap-small").size());
        assertEquals(10, keys("bounded-entries").size());
        long bytes = ((Number) TestDatabase.scalar("SELECT sum(size_bytes) FROM pgcache.cache_entry")).longValue();
        assertTrue(bytes <= 10_000, "under the cap: " + bytes);
        assertTrue(total() <= 50);
        assertEquals(0, purgeJob.runOnce().evictedForCap(), "under both now: nothing more goes");
    }
}
