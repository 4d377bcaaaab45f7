package dev.pgcache.near;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

import org.junit.jupiter.api.Test;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Plain unit test of the stamps that keep a read from putting back what a drop removed, for the
 * drops that walk the copies (a namespace, everything): reads that took their stamp before such a
 * drop offer their copies while it runs, and none may be left once both are done. A copy left
 * there would be answered until its key changes again, however long after the bound.
 */
class NearCacheStampsTest {

    private static final int THREADS = 4;
    private static final int KEYS_PER_THREAD = 2_000;
    private static final int ROUNDS = 200;

    @Test
    void noCopyOfferedAcrossADropOfEverythingSurvivesIt() throws Exception {
        assertNothingSurvives(NearCache::dropAll);
    }

    @Test
    void noCopyOfferedAcrossADropOfItsNamespaceSurvivesIt() throws Exception {
        assertNothingSurvives(near -> near.dropNamespace("ns"));
    }

    private static void assertNothingSurvives(java.util.function.Consumer<NearCache> drop) throws Exception {
        NearCache near = new NearCache(new SmallRyeConfigBuilder()
                .withConverter(java.time.Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withDefaultValue("pgcache.near-cache.max-bytes", "1G")
                .withMapping(PgcacheConfig.class).build().getConfigMapping(PgcacheConfig.class));
        near.listening();
        Entry entry = new Entry("1", 1, null, Instant.EPOCH, null, null, Instant.EPOCH);
        int survivors = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long stamp = near.stamp(); // every read below began before the drop
            CyclicBarrier start = new CyclicBarrier(THREADS + 1);
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int from = t * KEYS_PER_THREAD;
                readers.add(Thread.ofPlatform().start(() -> {
                    await(start);
                    for (int k = from; k < from + KEYS_PER_THREAD; k++) {
                        near.offer(new EntryId("ns", "k" + k), entry, stamp);
                    }
                }));
            }
            await(start);
            drop.accept(near);
            for (Thread r : readers) {
                r.join();
            }
            for (int k = 0; k < THREADS * KEYS_PER_THREAD; k++) {
                if (near.copyOf(new EntryId("ns", "k" + k)) != null) {
                    survivors++;
                }
            }
            near.dropAll();
        }
        assertEquals(0, survivors, "copies offered by reads older than the drop, left after it (over " + ROUNDS + " rounds)");
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
