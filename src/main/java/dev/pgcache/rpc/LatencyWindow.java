package dev.pgcache.rpc;

import java.util.Arrays;

/**
 * The durations of the last {@link #SIZE} successful calls, for percentiles: when to hedge a read,
 * and what the status shows of a node. Small and exact rather than a histogram: a percentile is
 * recomputed (a sort of at most SIZE numbers) at most once every {@link #RECOMPUTE_EVERY} samples.
 */
final class LatencyWindow {

    static final int SIZE = 256;
    static final int RECOMPUTE_EVERY = 16;

    private final long[] nanos = new long[SIZE];
    private int next; // guarded by this
    private int count; // guarded by this
    private int sinceSorted = RECOMPUTE_EVERY; // guarded by this
    private long[] sorted = new long[0]; // guarded by this

    synchronized void record(long d) {
        nanos[next] = d;
        next = (next + 1) % SIZE;
        count = Math.min(SIZE, count + 1);
        sinceSorted++;
    }

    /** The p-th percentile (0 &lt; p &lt; 1) in nanoseconds, or -1 with fewer than {@code minSamples} samples. */
    synchronized long percentile(double p, int minSamples) {
        if (count < Math.max(1, minSamples)) {
            return -1;
        }
        if (sinceSorted >= RECOMPUTE_EVERY || sorted.length != count) {
            sorted = Arrays.copyOf(nanos, count);
            Arrays.sort(sorted);
            sinceSorted = 0;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
