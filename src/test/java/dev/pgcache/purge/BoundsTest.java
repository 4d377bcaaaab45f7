package dev.pgcache.purge;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.config.EvictionPolicy;
import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.MaintenanceStore;
import dev.pgcache.entry.EvictionBatch;
import dev.pgcache.entry.EvictionPlan;
import dev.pgcache.entry.EvictionScope;
import dev.pgcache.hits.HitFlusher;
import dev.pgcache.metrics.CacheMetrics;
import dev.pgcache.testing.AtOnce;
import dev.pgcache.testing.Rows;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Per-namespace bounds, with the namespaces declared for tests in application.properties:
 * bounded-entries (max-entries=10), bounded-bytes (max-bytes=1000), bounded-both
 * (max-entries=20, max-bytes=500). Purge evicts only down to the bound. With the default,
 * pgcache.storage.eviction-policy=size-aware, the rows with the fewest reads since they were
 * queued per byte first, and among equals the oldest queued (so with rows of one size and no
 * reads, the oldest written first); second chance keeps rows read since they were queued;
 * oldest-first ignores reads. The tests of one policy by name drive the store with it.
 */
@QuarkusTest
class BoundsTest {

    private static final String ENTRIES = "bounded-entries";
    private static final String BYTES = "bounded-bytes";
    private static final String BOTH = "bounded-both";

    @Inject
    PurgeJob purgeJob;

    @Inject
    CacheMetrics metrics;

    @Inject
    PgcacheConfig config;

    @Inject
    MaintenanceStore store;

    @Inject
    HitFlusher hits;

    @BeforeEach
    @AfterEach
    void emptyBoundedNamespaces() {
        Rows.clear(ENTRIES);
        Rows.clear(BYTES);
        Rows.clear(BOTH);
    }

    private static List<String> keys(String namespace) {
        String joined = (String) TestDatabase.scalar(
                "SELECT string_agg(cache_key, ',' ORDER BY cache_key) FROM pgcache.cache_entry WHERE namespace = ?", namespace);
        return joined == null ? List.of() : List.of(joined.split(","));
    }

    private static long bytes(String namespace) {
        return ((Number) TestDatabase.scalar("SELECT coalesce(sum(size_bytes), 0) FROM pgcache.cache_entry WHERE namespace = ?",
                namespace)).longValue();
    }

    private static List<String> aged(int from, int to) {
        List<String> keys = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            keys.add("aged-%04d".formatted(i));
        }
        return keys;
    }

    @Test
    void maxEntriesEvictsTheOldestDownToTheBound() {
        Rows.insertAged(ENTRIES, 25, 10);
        long before = metrics.total(ENTRIES, CacheMetrics.Event.EVICTED);
        given().post("/v1/admin/purge").then().statusCode(200)
                .body("evicted", greaterThanOrEqualTo(15), "evictedByNamespace." + ENTRIES, is(15), "complete", is(true));
        assertEquals(aged(16, 25), keys(ENTRIES), "the 10 newest stay");
        assertEquals(15, metrics.total(ENTRIES, CacheMetrics.Event.EVICTED) - before);
        given().get("/v1/stats").then().statusCode(200)
                .body("namespaces.'" + ENTRIES + "'.evicted", greaterThanOrEqualTo(15));

        PurgeReport again = purgeJob.runOnce();
        assertFalse(again.evictedByNamespace().containsKey(ENTRIES), "a namespace at its bound loses nothing more");
        assertEquals(10, Rows.count(ENTRIES));
    }

    @Test
    void maxBytesEvictsTheOldestUntilTheNamespaceFits() {
        Rows.insertAged(BYTES, 7, 300); // 2100 bytes, bound 1000: the oldest 4 go, 900 bytes stay
        PurgeReport report = purgeJob.runOnce();
        assertEquals(4L, report.evictedByNamespace().get(BYTES));
        assertEquals(aged(5, 7), keys(BYTES));
        assertEquals(900, bytes(BYTES));
    }

    @Test
    void maxBytesStopsExactlyAtTheBound() {
        Rows.insertAged(BYTES, 30, 100); // 3000 bytes, bound 1000: 20 go, exactly 1000 bytes stay
        purgeJob.runOnce();
        assertEquals(aged(21, 30), keys(BYTES));
        assertEquals(1000, bytes(BYTES));
    }

    @Test
    void theTighterOfTwoBoundsWins() {
        Rows.insertAged(BOTH, 30, 10); // 30 rows, 300 bytes: max-entries=20 binds
        assertEquals(10L, purgeJob.runOnce().evictedByNamespace().get(BOTH));
        assertEquals(aged(11, 30), keys(BOTH));

        Rows.clear(BOTH);
        Rows.insertAged(BOTH, 15, 50); // 15 rows, 750 bytes: max-bytes=500 binds
        assertEquals(5L, purgeJob.runOnce().evictedByNamespace().get(BOTH));
        assertEquals(aged(6, 15), keys(BOTH));
        assertEquals(500, bytes(BOTH));
    }

    @Test
    void goneRowsArePurgedFirstAndDoNotCountAsEvicted() {
        Rows.insertGone(ENTRIES, 5);
        Rows.insertAged(ENTRIES, 12, 10);
        PurgeReport report = purgeJob.runOnce();
        assertEquals(5L, report.byNamespace().get(ENTRIES));
        assertEquals(2L, report.evictedByNamespace().get(ENTRIES));
        assertEquals(aged(3, 12), keys(ENTRIES));
    }

    @Test
    void evictionWorksInBoundedBatches() {
        int batch = config.purge().evictionBatchSize();
        Rows.insertAged(ENTRIES, 2 * batch + 510, 1);
        PurgeReport report = purgeJob.runOnce();
        assertEquals(2L * batch + 500, report.evictedByNamespace().get(ENTRIES));
        assertTrue(report.batches() >= 4, "at least one purge batch and three eviction batches, was " + report.batches());
        assertEquals(10, Rows.count(ENTRIES));
    }

    @Test
    void noEvictionWhileAnotherReplicaHoldsThePurgeLock() throws Exception {
        Rows.insertAged(ENTRIES, 15, 10);
        try (Connection other = TestDatabase.connect(); PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?)")) {
            lock.setLong(1, config.purge().lockKey());
            lock.execute();
            PurgeReport report = purgeJob.runOnce();
            assertFalse(report.lockHeld());
            assertEquals(0, report.evicted());
            assertEquals(15, Rows.count(ENTRIES));
            // released explicitly: on close, the server drops the lock only when the backend has exited
            try (PreparedStatement unlock = other.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                unlock.setLong(1, config.purge().lockKey());
                unlock.execute();
            }
        }
        assertEquals(5L, purgeJob.runOnce().evictedByNamespace().get(ENTRIES), "the lock went with the other session");
    }

    @Test
    void twoPurgersAtOnceEvictEachRowOnceAndNeverBelowTheBound() throws Exception {
        Rows.insertAged(ENTRIES, 3_000, 1);
        Rows.insertGone(ENTRIES, 2_000);
        long purged = 0;
        long evicted = 0;
        for (PurgeReport r : AtOnce.run(2, purgeJob::runOnce)) {
            purged += r.byNamespace().getOrDefault(ENTRIES, 0L);
            evicted += r.evictedByNamespace().getOrDefault(ENTRIES, 0L);
        }
        PurgeReport last = purgeJob.runOnce(); // whatever a lock hand-over left undone
        purged += last.byNamespace().getOrDefault(ENTRIES, 0L);
        evicted += last.evictedByNamespace().getOrDefault(ENTRIES, 0L);
        assertEquals(2_000, purged, "every gone row deleted and reported exactly once");
        assertEquals(5_000 - Rows.count(ENTRIES), purged + evicted, "the reports add up to the rows that went");
        assertEquals(10, Rows.count(ENTRIES), "back under the bound, not below it");
    }

    @Test
    void rowsWrittenInTheSameInstantAreEvictedExactlyToTheBoundInKeyOrder() {
        Rows.insertFresh(ENTRIES, 15); // one statement: all 15 share one fetched_at
        assertEquals(5L, purgeJob.runOnce().evictedByNamespace().get(ENTRIES));
        assertEquals(List.of("fresh-14", "fresh-15", "fresh-2", "fresh-3", "fresh-4", "fresh-5", "fresh-6", "fresh-7", "fresh-8", "fresh-9"),
                keys(ENTRIES), "fresh-1, fresh-10 … fresh-13 went first (byte order of the keys)");
    }

    @Test
    void aReplicaThatTakesOverMidWayDoesNotMakeTheFirstEvictTwice() {
        long lockKey = config.purge().lockKey();
        Rows.insertAged(ENTRIES, 25, 10);
        // replica A measures (15 rows over) and evicts one small batch, then pauses, releasing the lock
        EvictionPlan a = store.planEviction(lockKey, EvictionScope.namespace(ENTRIES, 10, Long.MAX_VALUE), EvictionPolicy.SECOND_CHANCE, 1, 1000).orElseThrow();
        assertEquals(15, a.rowsOver());
        assertEquals(5, store.evictBatch(lockKey, a, 5).orElseThrow().deleted());
        // in that pause replica B runs: it measures 20 rows, 10 over, and evicts them
        assertEquals(10L, purgeJob.runOnce().evictedByNamespace().get(ENTRIES));
        // A goes on with the plan it made before: its cutoff row is gone already, and so is everything before it
        assertEquals(0, store.evictBatch(lockKey, a, 1000).orElseThrow().taken());
        assertEquals(aged(16, 25), keys(ENTRIES));
    }

    /** Reads through the service, then flushes the counted hits into last_hit_at, as the hit flush timer would. */
    private void read(String namespace, List<String> keys) {
        for (String key : keys) {
            given().get("/v1/cache/" + namespace + "/" + key).then().statusCode(200);
        }
        assertTrue(hits.flush() >= keys.stream().distinct().count(), "the reads reached the table as hits");
    }

    /** Rows deleted and rows requeued by evicting one scope with a policy, plan after plan and batch after batch, as Evictor does. */
    private record Evicted(long deleted, long requeued) {
    }

    private Evicted evict(EvictionPolicy policy, EvictionScope scope) {
        long lockKey = config.purge().lockKey();
        long deleted = 0;
        long requeued = 0;
        for (int plans = 0; plans < 10; plans++) {
            EvictionPlan plan = store.planEviction(lockKey, scope, policy, config.storage().evictionWindow(), 100_000).orElseThrow();
            if (!plan.evicts()) {
                return new Evicted(deleted, requeued);
            }
            EvictionBatch batch;
            do {
                batch = store.evictBatch(lockKey, plan, 1000).orElseThrow();
                deleted += batch.deleted();
                requeued += batch.kept();
                plan = batch.rest();
            } while (batch.taken() == 1000);
            if (plan.reachesBounds()) {
                return new Evicted(deleted, requeued);
            }
        }
        throw new AssertionError("ten plans did not bring " + scope + " under its bounds");
    }

    @Test
    void rowsReadSinceTheyWereQueuedGetASecondChance() {
        Rows.insertAged(ENTRIES, 25, 10);
        read(ENTRIES, aged(1, 5)); // the five oldest are the ones readers use
        Evicted evicted = evict(EvictionPolicy.SECOND_CHANCE, EvictionScope.namespace(ENTRIES, 10, Long.MAX_VALUE));
        assertEquals(15, evicted.deleted(), "down to the bound, no further");
        assertEquals(5, evicted.requeued());
        List<String> expected = new ArrayList<>(aged(1, 5));
        expected.addAll(aged(21, 25));
        assertEquals(expected, keys(ENTRIES), "the read ones stay with the five newest; the unread old ones went");
        assertEquals(5L, TestDatabase.scalar("SELECT count(*) FROM pgcache.cache_entry WHERE namespace = ? AND requeued_at IS NOT NULL",
                ENTRIES), "the kept rows went to the back of the queue");
    }

    @Test
    void aSecondChanceIsUsedUpUnlessReadAgain() {
        EvictionScope scope = EvictionScope.namespace(ENTRIES, 10, Long.MAX_VALUE);
        Rows.insertAged(ENTRIES, 20, 10);
        read(ENTRIES, aged(1, 5));
        evict(EvictionPolicy.SECOND_CHANCE, scope); // keeps 1-5 (read) and 16-20 (newest); 1-5 now queued behind 16-20
        assertEquals(10, Rows.count(ENTRIES));
        read(ENTRIES, aged(3, 3)); // read again after its second chance
        insertNew(ENTRIES, 9, 10);
        assertEquals(9, evict(EvictionPolicy.SECOND_CHANCE, scope).deleted()); // 19 rows: 9 go
        List<String> kept = keys(ENTRIES);
        assertTrue(kept.contains("aged-0003"), "read again since its second chance: kept again, " + kept);
        for (String gone : List.of("aged-0001", "aged-0002", "aged-0004", "aged-0005", "aged-0016", "aged-0020")) {
            assertFalse(kept.contains(gone), gone + " was not read since it was queued, so it went: " + kept);
        }
        assertEquals(10, kept.size());
    }

    /** count rows new-1 … new-count, queued behind every row there is (fetched_at in the coming seconds), each sizeBytes large. */
    private static void insertNew(String namespace, int count, int sizeBytes) {
        TestDatabase.execute("INSERT INTO pgcache.cache_entry (namespace, cache_key, value, fetched_at, size_bytes) "
                + "SELECT ?, 'new-' || i, to_jsonb(i), now() + make_interval(secs => i), ? FROM generate_series(1, ?) AS i",
                namespace, sizeBytes, count);
    }

    /** One row written secondsAgo seconds ago, sizeBytes large. */
    private static void insertOne(String namespace, String key, int secondsAgo, int sizeBytes) {
        TestDatabase.execute("INSERT INTO pgcache.cache_entry (namespace, cache_key, value, fetched_at, size_bytes) "
                + "VALUES (?, ?, to_jsonb(1), now() - make_interval(secs => ?), ?)", namespace, key, secondsAgo, sizeBytes);
    }

    @Test
    void sizeAwareIsTheDefaultAndKeepsASmallOftenReadEntryWhileLargeUnreadOnesGo() {
        assertEquals(EvictionPolicy.SIZE_AWARE, config.storage().evictionPolicy());
        insertOne(BYTES, "small-read", 100, 50); // the oldest of all, read since it was written
        for (int i = 1; i <= 4; i++) {
            insertOne(BYTES, "large-" + i, 90 - i, 300); // unread
            insertOne(BYTES, "small-" + i, 80 - i, 50); // unread
        }
        read(BYTES, List.of("small-read", "small-read", "small-read"));
        // 1,450 bytes, bound 1,000: oldest-first would take small-read and the first large ones
        PurgeReport report = purgeJob.runOnce();
        assertEquals(2L, report.evictedByNamespace().get(BYTES), "two large rows free the 450 bytes over");
        assertEquals(List.of("large-3", "large-4", "small-1", "small-2", "small-3", "small-4", "small-read"), keys(BYTES));
        assertEquals(850, bytes(BYTES));
        assertEquals(1L, TestDatabase.scalar("SELECT count(*) FROM pgcache.cache_entry WHERE namespace = ? AND requeued_at IS NOT NULL",
                BYTES), "small-read, in the hand and read, was requeued");
    }

    @Test
    void sizeAwareUsesUpTheReadsOfARowItRequeues() {
        EvictionScope scope = EvictionScope.namespace(ENTRIES, 10, Long.MAX_VALUE);
        Rows.insertAged(ENTRIES, 12, 10); // all of one size: only reads tell them apart
        read(ENTRIES, List.of("aged-0001", "aged-0001", "aged-0001", "aged-0001", "aged-0001", "aged-0002"));
        Evicted first = evict(EvictionPolicy.SIZE_AWARE, scope);
        assertEquals(new Evicted(2, 2), first, "aged-0003 and aged-0004 go; aged-0001 and aged-0002, in the hand and read, are requeued");
        assertEquals(2L, TestDatabase.scalar("SELECT count(*) FROM pgcache.cache_entry WHERE namespace = ? AND requeued_at IS NOT NULL "
                + "AND requeued_hit_count = hit_count AND hit_count > 0", ENTRIES), "their reads used up: requeued_hit_count = hit_count");
        read(ENTRIES, List.of("aged-0002")); // read again since it was requeued; aged-0001 was not
        insertNew(ENTRIES, 9, 10);
        assertEquals(9, evict(EvictionPolicy.SIZE_AWARE, scope).deleted()); // 19 rows: 9 go
        List<String> kept = keys(ENTRIES);
        assertTrue(kept.contains("aged-0002"), "read since it was requeued: it weighs more and stays, " + kept);
        assertFalse(kept.contains("aged-0001"), "its five reads were used up when it was requeued, so it weighs as unread and goes: " + kept);
        assertEquals(10, kept.size());
    }

    @Test
    void aSizeAwareBatchRunAgainOrAfterAnotherReplicaTakesNothingMore() {
        long lockKey = config.purge().lockKey();
        Rows.insertAged(ENTRIES, 25, 10);
        EvictionScope scope = EvictionScope.namespace(ENTRIES, 10, Long.MAX_VALUE);
        EvictionPlan a = store.planEviction(lockKey, scope, EvictionPolicy.SIZE_AWARE, 64, 1000).orElseThrow();
        assertEquals(15, a.rowsOver());
        assertEquals(5, store.evictBatch(lockKey, a, 5).orElseThrow().deleted());
        assertEquals(10L, purgeJob.runOnce().evictedByNamespace().get(ENTRIES), "replica B, meanwhile: 20 rows, 10 over");
        assertEquals(0, store.evictBatch(lockKey, a, 1000).orElseThrow().taken(), "A's plan: everything up to its cutoff is gone");
        assertEquals(aged(16, 25), keys(ENTRIES));
    }

    @Test
    void sizeAwareBatchesGoOnWhereTheBatchBeforeEnded() {
        long lockKey = config.purge().lockKey();
        for (int i = 1; i <= 4; i++) {
            insertOne(BYTES, "small-" + i, 100 - i, 50); // the front of the queue, unread, heavier per byte than the large ones
        }
        for (int i = 1; i <= 6; i++) {
            insertOne(BYTES, "large-" + i, 50 - i, 300);
        }
        // 2,000 bytes, bound 1,000: four large rows go, in queue order, one per batch of one row
        EvictionPlan plan = store.planEviction(lockKey, EvictionScope.namespace(BYTES, Long.MAX_VALUE, 1000), EvictionPolicy.SIZE_AWARE,
                64, 1000).orElseThrow();
        assertEquals("small-1", plan.window().start().key(), "the first batch starts at the window's first row");
        for (int i = 1; i <= 4; i++) {
            EvictionBatch batch = store.evictBatch(lockKey, plan, 1).orElseThrow();
            assertEquals(1, batch.deleted());
            assertEquals("large-" + i, batch.rest().window().start().key(), "the next batch starts where this one ended");
            plan = batch.rest();
        }
        assertEquals(0, store.evictBatch(lockKey, plan, 1).orElseThrow().taken(), "up to the cutoff, all gone");
        assertEquals(List.of("large-5", "large-6", "small-1", "small-2", "small-3", "small-4"), keys(BYTES));
    }

    @Test
    void sizeAwareWeighsOnlyItsWindowOfTheQueue() {
        long lockKey = config.purge().lockKey();
        insertOne(BYTES, "old-small", 100, 100);
        insertOne(BYTES, "old-small-2", 99, 100);
        for (int i = 1; i <= 9; i++) {
            insertOne(BYTES, "new-large-" + i, 50 - i, 120);
        }
        // 1,280 bytes, 280 over; a window of once the rows to free (the 280 bytes over by the average row, 116, doubled, plus
        // 100): 104 rows, so all 11 are weighed and large ones go
        EvictionScope scope = EvictionScope.namespace(BYTES, Long.MAX_VALUE, 1000);
        EvictionPlan wide = store.planEviction(lockKey, scope, EvictionPolicy.SIZE_AWARE, 1, 1000).orElseThrow();
        assertEquals("new-large-3", wide.cutoffKey(), "the lightest per byte first, in queue order among equals: three large rows free 360 bytes");
        assertTrue(wide.reachesBounds());
        // the same plan allowed to read two rows only: the window holds the two old small ones, which go
        EvictionPlan narrow = store.planEviction(lockKey, scope, EvictionPolicy.SIZE_AWARE, 1, 2).orElseThrow();
        assertFalse(narrow.reachesBounds(), "two rows of 100 bytes cannot free 280");
        assertEquals(2, store.evictBatch(lockKey, narrow, 1000).orElseThrow().deleted());
        assertEquals(List.of("new-large-1", "new-large-2", "new-large-3", "new-large-4", "new-large-5", "new-large-6", "new-large-7",
                "new-large-8", "new-large-9"), keys(BYTES), "nothing behind the window was touched");
    }

    @Test
    void oldestFirstIgnoresReads() {
        long lockKey = config.purge().lockKey();
        Rows.insertAged(ENTRIES, 25, 10);
        read(ENTRIES, aged(1, 5));
        EvictionScope scope = EvictionScope.namespace(ENTRIES, 10, Long.MAX_VALUE);
        EvictionPlan plan = store.planEviction(lockKey, scope, EvictionPolicy.OLDEST_FIRST, 1, 1000).orElseThrow();
        assertTrue(plan.reachesBounds());
        assertEquals(15, store.evictBatch(lockKey, plan, 1000).orElseThrow().deleted());
        assertEquals(aged(16, 25), keys(ENTRIES), "the oldest written went, read or not");
    }

    @Test
    void aWriteSendsARowToTheBackOfTheQueueAndForgetsItsReads() {
        Rows.insertAged(ENTRIES, 12, 10);
        read(ENTRIES, aged(1, 1));
        given().contentType(io.restassured.http.ContentType.JSON).body("1").put("/v1/cache/" + ENTRIES + "/aged-0002").then().statusCode(200);
        assertEquals(0L, TestDatabase.scalar("SELECT count(*) FROM pgcache.cache_entry WHERE namespace = ? AND cache_key = 'aged-0002' "
                + "AND (requeued_at IS NOT NULL OR last_hit_at IS NOT NULL)", ENTRIES));
        assertEquals(2L, purgeJob.runOnce().evictedByNamespace().get(ENTRIES));
        List<String> kept = keys(ENTRIES);
        assertTrue(kept.contains("aged-0001") && kept.contains("aged-0002"), "read, and rewritten: both stay, " + kept);
        assertFalse(kept.contains("aged-0003") || kept.contains("aged-0004"), kept.toString());
    }

    @Test
    void evictionsShowInMetrics() {
        Rows.insertAged(ENTRIES, 11, 10);
        purgeJob.runOnce();
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("pgcache_evicted_total{namespace=\"" + ENTRIES + "\"}"))
                .body(containsString("pgcache_purge_run_evicted_rows_count"))
                .body(containsString("pgcache_purge_run_purged_rows_sum"));
    }
}
