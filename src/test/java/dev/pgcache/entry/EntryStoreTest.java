package dev.pgcache.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.testing.AtOnce;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.Rows;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class EntryStoreTest {

    @Inject
    EntryStore store;

    @Inject
    MaintenanceStore maintenance;

    @Inject
    Invalidations invalidations;

    @Inject
    PgcacheConfig config;

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("store");
    }

    private WriteRequest write(String key, String json, Lifetime lifetime) {
        return new WriteRequest(new EntryId(ns, key), json, json.length(), lifetime, List.of(), null);
    }

    private WriteResult written(WriteRequest request) {
        WriteOutcome outcome = store.upsert(request);
        assertTrue(outcome instanceof WriteOutcome.Written, outcome.toString());
        return ((WriteOutcome.Written) outcome).result();
    }

    @Test
    void upsertReturnsANewVersionOnEveryWrite() {
        Lifetime hour = new Lifetime(Optional.of(Duration.ofHours(1)), Duration.ZERO);
        WriteResult first = written(write("k", "1", hour));
        WriteResult second = written(write("k", "2", hour));
        assertTrue(first.created());
        assertFalse(second.created());
        assertTrue(second.version() > first.version());
        Entry e = store.get(new EntryId(ns, "k")).orElseThrow();
        assertEquals("2", e.json());
        assertEquals(second.version(), e.version());
        assertEquals(Freshness.FRESH, e.freshness());
    }

    @Test
    void versionsNeverRepeatAfterDeleteAndRecreate() {
        Lifetime hour = new Lifetime(Optional.of(Duration.ofHours(1)), Duration.ZERO);
        long before = written(write("k", "1", hour)).version();
        assertTrue(invalidations.invalidate(new EntryId(ns, "k")));
        long after = written(write("k", "1", hour)).version();
        assertTrue(after > before);
    }

    @Test
    void lifetimeIsCountedByTheDatabaseClock() {
        WriteResult r = written(write("k", "1", new Lifetime(Optional.of(Duration.ofSeconds(90)), Duration.ofSeconds(30))));
        assertEquals(Duration.ofSeconds(90), Duration.between(r.writtenAt(), r.expiresAt()));
        assertEquals(Duration.ofSeconds(120), Duration.between(r.writtenAt(), r.staleUntil()));
        WriteResult never = written(write("n", "1", Lifetime.never()));
        assertEquals(null, never.expiresAt());
        assertEquals(null, never.staleUntil());
    }

    @Test
    void concurrentCreatesOfOneKeyReportExactlyOneCreated() throws Exception {
        int writers = 16;
        List<Callable<WriteResult>> writes = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String json = Integer.toString(i);
            writes.add(() -> written(write("contended", json, Lifetime.never())));
        }
        int created = 0;
        List<Long> versions = new ArrayList<>();
        for (WriteResult r : AtOnce.run(writes)) {
            created += r.created() ? 1 : 0;
            versions.add(r.version());
        }
        assertEquals(1, created);
        assertEquals(writers, versions.stream().distinct().count(), "every write gets its own version");
        Entry stored = store.get(new EntryId(ns, "contended")).orElseThrow();
        // a replacing write draws its version after the row lock is held, so the last to commit has the highest
        assertEquals(versions.stream().mapToLong(Long::longValue).max().orElseThrow(), stored.version(),
                "versions rise in commit order");
        assertEquals(Integer.toString(versions.indexOf(stored.version())), stored.json(), "with that write's value");
    }

    @Test
    void purgeDeletesOnlyGoneRowsInBoundedBatches() {
        Rows.insertGone(ns, 2_500);
        Rows.insertStale(ns, 10);
        Rows.insertFresh(ns, 10);
        long purgedHere = 0;
        int batches = 0;
        PurgeBatch batch;
        do {
            batch = maintenance.purgeBatch(config.purge().lockKey(), 1_000);
            assertTrue(batch.lockHeld());
            assertTrue(batch.deleted() <= 1_000, "a batch never deletes more than its limit");
            purgedHere += batch.byNamespace().getOrDefault(ns, 0L);
            batches++;
        } while (batch.deleted() == 1_000);
        assertEquals(2_500, purgedHere);
        assertTrue(batches >= 3);
        assertEquals(20, Rows.count(ns), "stale and fresh rows stay");
    }

    @Test
    void purgeDoesNothingWhileAnotherSessionHoldsTheLock() throws Exception {
        Rows.insertGone(ns, 5);
        try (Connection other = TestDatabase.connect();
                PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?)")) {
            lock.setLong(1, config.purge().lockKey());
            lock.execute();
            PurgeBatch batch = maintenance.purgeBatch(config.purge().lockKey(), 1_000);
            assertFalse(batch.lockHeld());
            assertEquals(0, batch.deleted());
            assertEquals(5, Rows.count(ns));
            try (PreparedStatement unlock = other.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                unlock.setLong(1, config.purge().lockKey());
                unlock.execute();
            }
        }
        // the other session released its lock
        PurgeBatch after;
        long purgedHere = 0;
        do {
            after = maintenance.purgeBatch(config.purge().lockKey(), 1_000);
            assertTrue(after.lockHeld());
            purgedHere += after.byNamespace().getOrDefault(ns, 0L);
        } while (after.deleted() == 1_000);
        assertEquals(5, purgedHere);
    }

    @Test
    void invalidationsCountOnlyLiveEntries() {
        Rows.insertGone(ns, 3);
        Rows.insertStale(ns, 2);
        Rows.insertFresh(ns, 4);
        assertEquals(2, invalidations.invalidatePrefix(ns, "stale-"));
        assertEquals(4, invalidations.invalidateNamespace(ns));
        assertEquals(0, Rows.count(ns), "gone rows are deleted too, just not counted");
    }

    @Test
    void namespaceInvalidationWorksPastOneBatch() {
        Rows.insertFresh(ns, Invalidations.INVALIDATION_BATCH * 2 + 7);
        assertEquals(Invalidations.INVALIDATION_BATCH * 2 + 7, invalidations.invalidateNamespace(ns));
        assertEquals(0, Rows.count(ns));
    }

    @Test
    void prefixInvalidationMatchesByCodePointsIncludingSupplementaryCharacters() {
        Lifetime hour = new Lifetime(Optional.of(Duration.ofHours(1)), Duration.ZERO);
        for (String key : new String[] { "\uD83D\uDE00a", "\uD83D\uDE00b", "\uD83D\uDE01", "\uFFFF", "z" }) {
            written(write(key, "1", hour));
        }
        assertEquals(2, invalidations.invalidatePrefix(ns, "\uD83D\uDE00"));
        assertTrue(store.get(new EntryId(ns, "\uD83D\uDE01")).isPresent());
        assertTrue(store.get(new EntryId(ns, "\uFFFF")).isPresent());
    }

    @Test
    void tagInvalidationUsesTheStoredTags() {
        Lifetime hour = new Lifetime(Optional.of(Duration.ofHours(1)), Duration.ZERO);
        written(new WriteRequest(new EntryId(ns, "a"), "1", 1, hour, List.of("x", "y"), null));
        written(new WriteRequest(new EntryId(ns, "b"), "1", 1, hour, List.of("y"), null));
        assertEquals(1, invalidations.invalidateTag(ns, "x"));
        assertEquals(1, invalidations.invalidateTag(ns, "y"));
        assertEquals(0, invalidations.invalidateTag(ns, "y"));
    }
}
