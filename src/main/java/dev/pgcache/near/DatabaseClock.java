package dev.pgcache.near;

import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Singleton;

/**
 * The database's clock as this replica estimates it. Freshness is judged on the database's clock
 * (every instant of an entry comes from its now()), so a copy answered from memory must be judged
 * on it too, or replicas with skewed clocks would disagree with the table and with each other.
 *
 * <p>The listener reads clock_timestamp() with every heartbeat; the offset is the server's time
 * minus the midpoint of the round trip, taken from the sample with the shortest round trip among
 * the recent ones (its error is at most half that round trip: well under a millisecond on a LAN).
 */
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
public class DatabaseClock {

    private static final int SAMPLES = 32;

    private final long[] offsetNanos = new long[SAMPLES];
    private final long[] roundTripNanos = new long[SAMPLES];
    private int next;
    private int count;
    private volatile long bestOffsetNanos;
    private volatile long bestRoundTripNanos = -1;

    /** The database's now(), estimated. */
    public Instant now() {
        return Instant.now().plusNanos(bestOffsetNanos);
    }

    /** The last estimate of (database clock − this replica's clock). */
    public Duration offset() {
        return Duration.ofNanos(bestOffsetNanos);
    }

    /** Round trip of the sample the estimate comes from; negative before the first. */
    public Duration roundTrip() {
        return Duration.ofNanos(bestRoundTripNanos);
    }

    /** One reading: the server said {@code server} between {@code sent} and {@code received} on this replica's clock. */
    synchronized void sample(Instant sent, Instant server, Instant received) {
        long rtt = Duration.between(sent, received).toNanos();
        if (rtt < 0) {
            return; // the local clock was stepped back in between
        }
        Instant midpoint = sent.plusNanos(rtt / 2);
        offsetNanos[next] = Duration.between(midpoint, server).toNanos();
        roundTripNanos[next] = rtt;
        next = (next + 1) % SAMPLES;
        count = Math.min(count + 1, SAMPLES);
        int best = 0;
        for (int i = 1; i < count; i++) {
            if (roundTripNanos[i] < roundTripNanos[best]) {
                best = i;
            }
        }
        bestOffsetNanos = offsetNanos[best];
        bestRoundTripNanos = roundTripNanos[best];
    }
}
