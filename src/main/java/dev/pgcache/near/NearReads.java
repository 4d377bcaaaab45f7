package dev.pgcache.near;

import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Singleton;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.ReadCoalescer;

/**
 * Single-key reads through the near cache: a live copy in memory is answered with the database's
 * clock as this replica estimates it ({@link Entry.Source#MEMORY}); otherwise the table is read
 * and what it holds is kept for the next reader. The consistency this gives is in docs/api.md:
 * read-your-writes on this replica, bounded staleness (pgcache.near-cache.max-lag) across replicas.
 */
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
public class NearReads {

    private final NearCache near;
    private final DatabaseClock clock;
    private final ReadCoalescer table;
    private final NearCacheMeters meters;
    private final Set<String> switchedOff = new HashSet<>();

    NearReads(NearCache near, DatabaseClock clock, ReadCoalescer table, NearCacheMeters meters, PgcacheConfig config) {
        this.near = near;
        this.clock = clock;
        this.table = table;
        this.meters = meters;
        config.namespaces().forEach((name, ns) -> {
            if (!ns.nearCache().orElse(true)) {
                switchedOff.add(name);
            }
        });
    }

    /**
     * The live copy in memory under the id, when one may answer now, counted as a hit; never touches
     * the database, so it may run on an event loop. Null when there is none: nothing is counted
     * then, and {@link #get} (which follows) counts the miss or the bypass and reads the table.
     */
    public Entry inMemory(EntryId id) {
        if (!near.enabled() || !near.serving() || switchedOff.contains(id.namespace())) {
            return null;
        }
        Entry copy = near.copyOf(id);
        if (copy == null) {
            return null;
        }
        Instant now = clock.now();
        if (copy.goneAt(now)) {
            return null; // get() forgets it
        }
        meters.hit();
        return copy.fromMemoryAt(now);
    }

    /**
     * The live entry under the id, as {@link ReadCoalescer#get} answers it, from memory when a copy may answer.
     *
     * @param tableOnly the caller asked for the table (Cache-Control: no-cache); what it reads is still kept
     */
    public Optional<Entry> get(EntryId id, boolean tableOnly) {
        if (!near.enabled() || switchedOff.contains(id.namespace())) {
            return table.get(id);
        }
        if (tableOnly || !near.serving()) {
            meters.bypass();
        } else {
            Entry copy = near.copyOf(id);
            if (copy != null) {
                Instant now = clock.now();
                if (!copy.goneAt(now)) {
                    meters.hit();
                    return Optional.of(copy.fromMemoryAt(now));
                }
                near.forget(id, copy);
            }
            meters.miss();
        }
        long stamp = near.stamp();
        Optional<Entry> found = table.get(id);
        found.ifPresent(e -> near.offer(id, e, stamp));
        return found;
    }

    /**
     * Waits until every change committed before this call has reached the near cache (or nothing
     * is served from memory), at most {@code timeout}; returns whether it has. For tests and
     * tools that change rows behind the service's back and then read through it.
     */
    public boolean awaitCaughtUp(java.time.Duration timeout) {
        long from = System.nanoTime();
        long deadline = from + timeout.toNanos();
        while (near.enabled() && near.serving() && !near.confirmedSince(from)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
