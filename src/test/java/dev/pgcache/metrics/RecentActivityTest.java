package dev.pgcache.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The latency histogram behind the console's chart: a percentile is never low and at most a bucket (25 %) high. */
class RecentActivityTest {

    private static long[] histogram(long... nanos) {
        long[] counts = new long[RecentActivity.BUCKETS];
        for (long n : nanos) {
            counts[RecentActivity.bucketOf(n)]++;
        }
        return counts;
    }

    @Test
    void aPercentileIsTheUpperBoundOfItsBucketWithinAQuarter() {
        for (long micros : new long[] { 10, 50, 51, 120, 999, 1_000, 4_321, 87_000, 1_500_000 }) {
            long nanos = TimeUnit.MICROSECONDS.toNanos(micros);
            double ms = micros / 1000.0;
            Double p50 = RecentActivity.percentile(histogram(nanos), 1, 0.5);
            assertTrue(p50 >= ms - 1e-3, micros + " µs: " + p50 + " ms is not low");
            assertTrue(p50 <= Math.max(ms, RecentActivity.FIRST_BOUND_MICROS / 1000) * RecentActivity.GROWTH + 1e-3,
                    micros + " µs: " + p50 + " ms is at most a bucket high");
        }
    }

    @Test
    void p99SeesTheSlowestPercentAndP50TheMiddle() {
        long fast = TimeUnit.MILLISECONDS.toNanos(1);
        long slow = TimeUnit.MILLISECONDS.toNanos(100);
        long[] nanos = new long[200];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = i < 197 ? fast : slow; // 1.5 % slow
        }
        long[] counts = histogram(nanos);
        assertTrue(RecentActivity.percentile(counts, 200, 0.5) < 1.3);
        double p99 = RecentActivity.percentile(counts, 200, 0.99);
        assertTrue(p99 >= 100 && p99 <= 125, "p99 " + p99);
    }

    @Test
    void noRequestsNoPercentileAndHugeDurationsLandInTheLastBucket() {
        assertNull(RecentActivity.percentile(new long[RecentActivity.BUCKETS], 0, 0.99));
        assertEquals(RecentActivity.BUCKETS - 1, RecentActivity.bucketOf(TimeUnit.HOURS.toNanos(2)));
        assertEquals(0, RecentActivity.bucketOf(0));
    }
}
