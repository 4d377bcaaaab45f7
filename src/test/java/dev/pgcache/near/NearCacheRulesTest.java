package dev.pgcache.near;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;

/** The rules of NearCache that keep a copy no staler than the bound, without a database. */
class NearCacheRulesTest {

    private static final EntryId K = new EntryId("ns", "k");
    private static final Entry OLD = new Entry("1", 1, null, Instant.EPOCH, null, null, Instant.EPOCH);

    private static NearCache listening() {
        NearCache near = new NearCache(true, 1 << 20, 1 << 10, Duration.ofSeconds(1));
        near.listening();
        return near;
    }

    @Test
    void aReadThatBeganBeforeADropCannotBringItsCopyBack() {
        NearCache near = listening();
        long stamp = near.stamp(); // the read begins, asks the table, finds OLD ...
        near.dropKey(K); // ... while a change of K is applied
        near.offer(K, OLD, stamp); // ... and offers what it found
        assertNull(near.copyOf(K));
        near.offer(K, OLD, near.stamp()); // a read that began after the drop may keep its copy
        assertNotNull(near.copyOf(K));
    }

    @Test
    void namespaceAndWholeDropsCoverEveryKeyInThem() {
        NearCache near = listening();
        long stamp = near.stamp();
        near.dropNamespace("ns");
        near.offer(K, OLD, stamp);
        near.offer(new EntryId("other", "k"), OLD, stamp);
        assertNull(near.copyOf(K));
        assertNotNull(near.copyOf(new EntryId("other", "k")));

        stamp = near.stamp();
        near.dropAll();
        near.offer(K, OLD, stamp);
        assertNull(near.copyOf(K));
        assertNull(near.copyOf(new EntryId("other", "k")), "dropAll removes what was kept");
    }

    @Test
    void nothingIsKeptOrServedWhileDeafAndCopiesAreServedOnlyWithinTheBound() throws Exception {
        NearCache near = new NearCache(true, 1 << 20, 1 << 10, Duration.ofMillis(100));
        near.offer(K, OLD, near.stamp());
        assertNull(near.copyOf(K), "not listening: nothing kept");
        assertFalse(near.serving());
        near.listening();
        assertTrue(near.serving());
        near.offer(K, OLD, near.stamp());
        assertNotNull(near.copyOf(K));
        Thread.sleep(150); // no proof for longer than the bound
        assertFalse(near.serving());
        near.confirm(System.nanoTime());
        assertTrue(near.serving());
        near.deaf();
        assertFalse(near.serving());
        assertNull(near.copyOf(K), "going deaf empties the near cache");
    }

    @Test
    void aValueOverTheEntryLimitIsNeverKept() {
        NearCache near = listening();
        Entry large = new Entry("\"" + "x".repeat(2000) + "\"", 2, null, Instant.EPOCH, null, null, Instant.EPOCH);
        near.offer(K, large, near.stamp());
        assertNull(near.copyOf(K));
    }

    @Test
    void goneIsJudgedLikeTheTablesLiveCondition() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Entry expiresWithWindow = new Entry("1", 1, null, t, t.plusSeconds(10), t.plusSeconds(20), t);
        assertFalse(expiresWithWindow.goneAt(t.plusSeconds(15)), "stale, inside its window");
        assertTrue(expiresWithWindow.goneAt(t.plusSeconds(20)));
        Entry noWindow = new Entry("1", 1, null, t, t.plusSeconds(10), null, t);
        assertTrue(noWindow.goneAt(t.plusSeconds(10)));
        Entry never = new Entry("1", 1, null, t, null, null, t);
        assertFalse(never.goneAt(t.plusSeconds(1_000_000)));
    }

    @Test
    void theClockTakesTheSampleWithTheShortestRoundTrip() {
        DatabaseClock clock = new DatabaseClock();
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        // the database is 5 s ahead; a slow round trip with its delay on the way back says 5.03 s
        clock.sample(t, t.plusMillis(5_070), t.plusMillis(80));
        assertEquals(5_030, clock.offset().toMillis());
        clock.sample(t.plusSeconds(1), t.plusSeconds(1).plusMillis(5_001), t.plusSeconds(1).plusMillis(2));
        assertEquals(5_000, clock.offset().toMillis());
        assertEquals(2, clock.roundTrip().toMillis());
    }

    @Test
    void unreadablePayloadsDropEverything() {
        assertTrue(ChangeMessage.parse("not json").all());
        assertTrue(ChangeMessage.parse("{\"keys\":[[\"a\"]]}").all());
        assertTrue(ChangeMessage.parse("{}").all());
        ChangeMessage m = ChangeMessage.parse("{\"keys\":[[\"a\", \"k\\\"1\"]], \"namespaces\":[\"b\"]}");
        assertFalse(m.all());
        assertEquals(List.of(new EntryId("a", "k\"1")), m.keys());
        assertEquals(List.of("b"), m.namespaces());
    }
}
