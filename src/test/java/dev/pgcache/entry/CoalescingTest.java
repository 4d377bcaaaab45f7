package dev.pgcache.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.Namespaces;
import io.quarkus.test.junit.QuarkusTest;

/** Shared statements against the real table: answers are those of one statement per request. */
@QuarkusTest
class CoalescingTest {

    private static final Lifetime HOUR = new Lifetime(Optional.of(Duration.ofHours(1)), Duration.ZERO);

    @Inject
    EntryStore store;

    @Inject
    ReadCoalescer reads;

    @Inject
    WriteCoalescer writes;

    private String ns;
    private String other;

    @BeforeEach
    void freshNamespaces() {
        ns = Namespaces.fresh("coalesce");
        other = Namespaces.fresh("coalesce");
    }

    private static WriteRequest write(String namespace, String key, String json, Long revision) {
        return new WriteRequest(new EntryId(namespace, key), json, json.length(), HOUR, List.of("t"), revision);
    }

    @Test
    void getEachAnswersAcrossNamespacesInOrderWithGapsForMissingAndGoneKeys() {
        store.upsert(write(ns, "a", "1", null));
        store.upsert(write(other, "a", "2", null));
        store.upsert(new WriteRequest(new EntryId(ns, "gone"), "3", 1, new Lifetime(Optional.of(Duration.ZERO), Duration.ZERO),
                List.of(), null));
        List<EntryId> ids = List.of(new EntryId(other, "a"), new EntryId(ns, "missing"), new EntryId(ns, "a"),
                new EntryId(ns, "gone"), new EntryId(ns, "a"));
        List<Optional<Entry>> got = store.getEach(ids);
        assertEquals(5, got.size());
        assertEquals("2", got.get(0).orElseThrow().json());
        assertTrue(got.get(1).isEmpty());
        assertEquals("1", got.get(2).orElseThrow().json());
        assertTrue(got.get(3).isEmpty(), "a row past its stale window is gone");
        assertEquals(got.get(2).orElseThrow().version(), got.get(4).orElseThrow().version());
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(store.get(ids.get(i)).map(Entry::version), got.get(i).map(Entry::version), "as a single GET answers " + ids.get(i));
        }
    }

    @Test
    void upsertEachWritesEveryRequestWithItsOwnOutcome() {
        store.upsert(write(ns, "guarded", "\"stored\"", 10L));
        List<WriteRequest> batch = List.of(
                write(ns, "b", "\"first\"", null),
                write(other, "b", "\"other namespace\"", null),
                write(ns, "guarded", "\"older\"", 5L),
                write(ns, "a", "\"new\"", null),
                write(ns, "b", "\"second\"", null));
        List<WriteOutcome> outcomes = store.upsertEach(batch);

        WriteResult first = assertInstanceOf(WriteOutcome.Written.class, outcomes.get(0)).result();
        WriteResult second = assertInstanceOf(WriteOutcome.Written.class, outcomes.get(4)).result();
        assertTrue(first.created());
        assertFalse(second.created(), "the same key again in one batch replaces the first write");
        assertTrue(second.version() > first.version(), "a key written twice keeps the order of arrival");
        assertEquals("\"second\"", store.get(new EntryId(ns, "b")).orElseThrow().json());
        assertEquals("\"other namespace\"", store.get(new EntryId(other, "b")).orElseThrow().json());
        assertEquals(10L, assertInstanceOf(WriteOutcome.RevisionConflict.class, outcomes.get(2)).storedRevision());
        assertEquals("\"stored\"", store.get(new EntryId(ns, "guarded")).orElseThrow().json(), "a refused write changes nothing");
        WriteResult a = assertInstanceOf(WriteOutcome.Written.class, outcomes.get(3)).result();
        Entry stored = store.get(new EntryId(ns, "a")).orElseThrow();
        assertEquals(a.version(), stored.version());
        assertEquals(List.of("t"), store.list(ns, "a", null, 10).items().get(0).tags());
    }

    @Test
    void concurrentPutsAndGetsThroughTheCoalescersAgreeWithTheTable() throws Exception {
        int threads = 48;
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<WriteOutcome>> written = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                WriteRequest w = write(i % 2 == 0 ? ns : other, "k" + (i / 2 % 6), "{\"writer\":" + i + "}", null);
                written.add(pool.submit(() -> {
                    start.await();
                    return writes.upsert(w);
                }));
            }
            start.countDown();
            Map<EntryId, Long> newest = new HashMap<>();
            for (int i = 0; i < threads; i++) {
                WriteResult r = assertInstanceOf(WriteOutcome.Written.class, written.get(i).get(30, TimeUnit.SECONDS)).result();
                newest.merge(new EntryId(i % 2 == 0 ? ns : other, "k" + (i / 2 % 6)), r.version(), Math::max);
            }
            assertEquals(12, newest.size());

            CountDownLatch read = new CountDownLatch(1);
            Map<EntryId, Future<Optional<Entry>>> answers = new HashMap<>();
            for (EntryId id : newest.keySet()) {
                answers.put(id, pool.submit(() -> {
                    read.await();
                    return reads.get(id);
                }));
            }
            Future<Optional<Entry>> missing = pool.submit(() -> {
                read.await();
                return reads.get(new EntryId(ns, "never-written"));
            });
            read.countDown();
            for (Map.Entry<EntryId, Long> e : newest.entrySet()) {
                assertEquals(e.getValue(), answers.get(e.getKey()).get(30, TimeUnit.SECONDS).orElseThrow().version(),
                        "the last write of " + e.getKey() + " is what is stored and read");
            }
            assertTrue(missing.get(30, TimeUnit.SECONDS).isEmpty());
        } finally {
            pool.shutdownNow();
        }
    }
}
