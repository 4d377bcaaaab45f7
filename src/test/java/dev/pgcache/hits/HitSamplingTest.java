package dev.pgcache.hits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.Hit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** With pgcache.hits.sample-one-in = n, one read in n is counted as n reads: an estimate, not a loss. */
class HitSamplingTest {

    private static final EntryId ID = new EntryId("sampled", "k");
    private static final Entry ENTRY = new Entry("{}", 7, null, Instant.EPOCH, null, null, Instant.EPOCH);

    @Test
    void sampledCountsWeighTheSampleRateAndEstimateTheReads() {
        HitTracker tracker = new HitTracker(true, 4, 100, new SimpleMeterRegistry());
        int reads = 4000;
        for (int i = 0; i < reads; i++) {
            tracker.record(ID, ENTRY);
        }
        List<Hit> hits = tracker.drain();
        assertEquals(1, hits.size());
        long counted = hits.get(0).count();
        assertEquals(0, counted % 4, "every counted read weighs 4");
        // 1000 expected samples, standard deviation about 27: ±300 samples is more than 10 sigma
        assertTrue(counted > reads - 1200 && counted < reads + 1200, "estimate " + counted + " of " + reads + " reads");
    }

    @Test
    void oneInOneCountsEveryReadExactly() {
        HitTracker tracker = new HitTracker(true, 1, 100, new SimpleMeterRegistry());
        for (int i = 0; i < 37; i++) {
            tracker.record(ID, ENTRY);
        }
        assertEquals(37, tracker.drain().get(0).count());
    }

    @Test
    void aSampleRateBelowOneStopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new HitTracker(true, 0, 100, new SimpleMeterRegistry()));
        assertTrue(e.getMessage().contains("pgcache.hits.sample-one-in"), e.getMessage());
    }
}
