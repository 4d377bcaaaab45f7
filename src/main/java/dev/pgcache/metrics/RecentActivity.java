package dev.pgcache.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import jakarta.inject.Singleton;

import dev.pgcache.metrics.CacheMetrics.Event;
import io.quarkus.scheduler.Scheduled;

/**
 * The last minutes of this replica's reads and request latency, for the console's live chart
 * ({@code GET /v1/admin/activity}): every {@link #INTERVAL} a sample of hits, stale hits and
 * misses per second (the deltas of {@link CacheMetrics}' counters) and of the p50 and p99 of the
 * {@code /v1} requests answered in the interval, {@link #KEPT} samples kept.
 *
 * <p>Why a histogram of its own: the request timers Quarkus keeps give count, sum and maximum
 * only, and percentiles over the last interval need the interval's own distribution. Durations
 * fall into fixed buckets growing by a quarter (50 µs to about 60 s), counted with one
 * {@link LongAdder} each, so recording is one add on the request's thread and a percentile is
 * exact to within a bucket (its upper bound is reported: at most 25 % high). A chart that starts
 * with the page would show nothing for minutes; kept on the server, the history is there at once.
 */
@io.quarkus.runtime.Startup
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
public class RecentActivity {

    public static final Duration INTERVAL = Duration.ofSeconds(5);
    /** 15 minutes of samples. */
    public static final int KEPT = 180;

    static final double FIRST_BOUND_MICROS = 50;
    static final double GROWTH = 1.25;
    static final int BUCKETS = 64;

    /**
     * One interval.
     *
     * @param p50Ms null when no request was answered in the interval
     */
    public record Sample(Instant at, double seconds, double hitsPerSecond, double staleHitsPerSecond, double missesPerSecond,
            double requestsPerSecond, Double p50Ms, Double p99Ms) {
    }

    private final CacheMetrics metrics;
    private final LongAdder[] buckets = new LongAdder[BUCKETS];
    private final Deque<Sample> samples = new ArrayDeque<>(); // guarded by itself; oldest first
    private long[] lastBuckets = new long[BUCKETS]; // guarded by samples
    private long[] lastReads = new long[3]; // guarded by samples
    private long lastAtNanos = System.nanoTime(); // guarded by samples

    RecentActivity(CacheMetrics metrics) {
        this.metrics = metrics;
        for (int i = 0; i < BUCKETS; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Counts one answered request that took this long. */
    public void record(long nanos) {
        buckets[bucketOf(nanos)].increment();
    }

    static int bucketOf(long nanos) {
        double micros = nanos / 1000.0;
        if (micros <= FIRST_BOUND_MICROS) {
            return 0;
        }
        int i = (int) Math.ceil(Math.log(micros / FIRST_BOUND_MICROS) / Math.log(GROWTH));
        return Math.min(i, BUCKETS - 1);
    }

    /** The upper bound of a bucket, in milliseconds. */
    static double upperBoundMs(int bucket) {
        return FIRST_BOUND_MICROS * Math.pow(GROWTH, bucket) / 1000.0;
    }

    /** Takes a sample now: what happened since the previous one. */
    @Scheduled(identity = "pgcache-recent-activity", every = "5s", delayed = "5s")
    public void sample() {
        synchronized (samples) {
            long now = System.nanoTime();
            double seconds = Math.max((now - lastAtNanos) / 1e9, 1e-3);
            long[] reads = reads();
            long[] counts = new long[BUCKETS];
            long[] delta = new long[BUCKETS];
            long requests = 0;
            for (int i = 0; i < BUCKETS; i++) {
                counts[i] = buckets[i].sum();
                delta[i] = counts[i] - lastBuckets[i];
                requests += delta[i];
            }
            samples.addLast(new Sample(Instant.now(), round(seconds), rate(reads[0] - lastReads[0], seconds),
                    rate(reads[1] - lastReads[1], seconds), rate(reads[2] - lastReads[2], seconds), rate(requests, seconds),
                    percentile(delta, requests, 0.50), percentile(delta, requests, 0.99)));
            while (samples.size() > KEPT) {
                samples.removeFirst();
            }
            lastBuckets = counts;
            lastReads = reads;
            lastAtNanos = now;
        }
    }

    /** The samples kept, oldest first. */
    public List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    private long[] reads() {
        long[] r = new long[3];
        for (String ns : metrics.namespaces()) {
            r[0] += metrics.total(ns, Event.HIT);
            r[1] += metrics.total(ns, Event.STALE_HIT);
            r[2] += metrics.total(ns, Event.MISS);
        }
        return r;
    }

    /** The upper bound of the bucket holding the q-th request; null for no requests. */
    static Double percentile(long[] counts, long total, double q) {
        if (total <= 0) {
            return null;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return round(upperBoundMs(i));
            }
        }
        return round(upperBoundMs(counts.length - 1));
    }

    private static double rate(long n, double seconds) {
        return round(Math.max(n, 0) / seconds);
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }
}
