package dev.pgcache.hits;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.quarkus.runtime.Startup;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.Hit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts reads in memory so that a read never writes to the database (DESIGN.md, principle 3);
 * {@link HitFlusher} adds the counts to the table every few seconds in one statement.
 *
 * <p>Design: one map from (entry, version read) to its tally. A read updates its tally inside
 * {@code ConcurrentHashMap.compute}, and the flusher takes tallies out with {@code remove}; both
 * lock the same map bin, so a hit lands either in the tally being taken out or in a new one for
 * the next flush, never in neither. Memory is bounded by {@code pgcache.hits.max-tracked-keys}
 * distinct entries between two flushes: a hit on one more entry is dropped and counted in
 * {@code pgcache_hits_dropped_total}, because a cache must not run out of memory to keep
 * statistics. Hit counts are statistics, not data: a crash loses what was not flushed yet, at
 * most one flush interval of counts.
 *
 * <p>Sampling ({@code pgcache.hits.sample-one-in}, default 10): each read is counted with
 * probability 1/n and then weighs n, so hit_count stays an unbiased estimate while the flush
 * writes about n times fewer rows when reads spread over many entries. The choice is random
 * rather than every n-th read so that a pattern in the traffic cannot hide an entry.
 */
@Startup // built at boot, so a bad setting stops the start instead of the first request
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
public class HitTracker {

    /** Reads of one version of one entry since the last flush. */
    private record Tracked(EntryId id, long version) {
    }

    private record Tally(long count, Instant latest) {
        Tally plus(long n, Instant at) {
            return new Tally(count + n, at.isAfter(latest) ? at : latest);
        }
    }

    private final boolean enabled;
    private final int sampleOneIn;
    private final int maxTracked;
    private final ConcurrentHashMap<Tracked, Tally> tallies = new ConcurrentHashMap<>();
    private final AtomicInteger tracked = new AtomicInteger();
    private final Counter dropped;

    @Inject
    HitTracker(PgcacheConfig config, MeterRegistry registry) {
        this(config.hits().enabled(), config.hits().sampleOneIn(), config.hits().maxTrackedKeys(), registry);
    }

    HitTracker(boolean enabled, int sampleOneIn, int maxTracked, MeterRegistry registry) {
        if (maxTracked < 1) {
            throw new IllegalStateException("pgcache.hits.max-tracked-keys must be at least 1, was " + maxTracked
                    + "; to stop counting hits set pgcache.hits.enabled=false");
        }
        if (sampleOneIn < 1) {
            throw new IllegalStateException("pgcache.hits.sample-one-in must be at least 1 (1 counts every read), was " + sampleOneIn);
        }
        this.enabled = enabled;
        this.sampleOneIn = sampleOneIn;
        this.maxTracked = maxTracked;
        this.dropped = Counter.builder("pgcache.hits.dropped")
                .description("Hits not counted because pgcache.hits.max-tracked-keys entries were already waiting for a flush")
                .register(registry);
        Gauge.builder("pgcache.hits.pending", tracked, AtomicInteger::get)
                .description("Entries with hits counted in memory, waiting for the next flush")
                .register(registry);
    }

    /** Counts one read of the entry (or, sampled, n reads one time in n), at the database instant the read returned. Never blocks on the database. */
    public void record(EntryId id, Entry entry) {
        if (enabled && (sampleOneIn == 1 || ThreadLocalRandom.current().nextInt(sampleOneIn) == 0)) {
            add(new Tracked(id, entry.version()), sampleOneIn, entry.readAt());
        }
    }

    /** Takes out every counted hit; hits recorded meanwhile wait for the next call. */
    List<Hit> drain() {
        List<Hit> out = new ArrayList<>(tracked.get());
        for (Tracked key : tallies.keySet()) {
            Tally t = tallies.remove(key);
            if (t != null) {
                tracked.decrementAndGet();
                out.add(new Hit(key.id(), key.version(), t.count(), t.latest()));
            }
        }
        return out;
    }

    /** Puts back hits a flush could not write, within the same bound, so an outage of the database loses none it can keep. */
    void restore(List<Hit> hits) {
        for (Hit h : hits) {
            add(new Tracked(h.id(), h.version()), h.count(), h.lastHitAt());
        }
    }

    /** Entries with hits waiting for a flush. */
    int pending() {
        return tracked.get();
    }

    private void add(Tracked key, long n, Instant at) {
        boolean[] refused = { false };
        tallies.compute(key, (k, prior) -> {
            if (prior != null) {
                return prior.plus(n, at);
            }
            if (tracked.incrementAndGet() > maxTracked) {
                tracked.decrementAndGet();
                refused[0] = true;
                return null;
            }
            return new Tally(n, at);
        });
        if (refused[0]) {
            dropped.increment(n);
        }
    }
}
