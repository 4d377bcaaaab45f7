package dev.pgcache.api;

import java.util.Map;

import jakarta.inject.Singleton;

import dev.pgcache.protocol.CacheControl;
import dev.pgcache.protocol.CacheStatus;
import dev.pgcache.protocol.Problem;
import dev.pgcache.protocol.ProblemException;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.Freshness;
import dev.pgcache.hits.HitTracker;
import dev.pgcache.metrics.CacheMetrics;
import dev.pgcache.metrics.CacheMetrics.Event;
import dev.pgcache.near.NearReads;

/**
 * A GET of one key answered from the near cache or the table (a namespace without read-through): the
 * lookup, the hit and miss accounting and the conditional answer, shared by
 * {@link EntryResource#get} and {@link CacheGetRoute} so both answer alike.
 */
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
class KeyReads {

    /** A live entry, and whether the caller's If-None-Match already names its version (304). */
    record Found(Entry entry, boolean notModified) {
        Map<String, String> headers() {
            return CachingHeaders.of(entry, CachingHeaders.xCache(entry));
        }
    }

    private final NearReads reads;
    private final CacheMetrics metrics;
    private final HitTracker hits;

    KeyReads(NearReads reads, CacheMetrics metrics, HitTracker hits) {
        this.reads = reads;
        this.metrics = metrics;
        this.hits = hits;
    }

    /**
     * The answer from this replica's near cache, or null when it has no live copy to answer with (or
     * the request asks for the table: Cache-Control: no-cache). It never blocks, so CacheGetRoute
     * answers it on the event loop instead of handing it to a thread; counted as {@link #read} counts
     * a hit. After a null, {@link #read} answers (and counts the near cache's miss).
     */
    Found readFromMemory(EntryId id, EntityTags notMatching, String cacheControl) {
        if (cacheControl != null && CacheControl.parse(cacheControl).has("no-cache")) {
            return null;
        }
        Entry entry = reads.inMemory(id);
        return entry == null ? null : found(id, entry, notMatching);
    }

    /**
     * The live entry at or above minRevision (null: any); a miss is a 404 cache-miss problem with X-Cache: MISS.
     *
     * @param cacheControl the request's Cache-Control, or null: no-cache reads the table, never a copy in memory
     */
    Found read(EntryId id, EntityTags notMatching, Long minRevision, String cacheControl) {
        Entry entry = reads.get(id, CacheControl.parse(cacheControl).has("no-cache"))
                .filter(e -> minRevision == null || e.revision() != null && e.revision() >= minRevision)
                .orElse(null);
        if (entry == null) {
            metrics.count(id.namespace(), Event.MISS);
            throw new ProblemException(Problem.of(404, "cache-miss", "Not found",
                    "no live entry for key '" + id.key() + "' in namespace '" + id.namespace() + "'"
                            + (minRevision == null ? "" : " with revision " + minRevision + " or higher")),
                    // no-store: no cache downstream may keep a 404 by heuristic and hide the value once it is written
                    Map.of(CacheStatus.HEADER, CacheStatus.MISS.value(), "Cache-Control", "no-store"));
        }
        return found(id, entry, notMatching);
    }

    private Found found(EntryId id, Entry entry, EntityTags notMatching) {
        metrics.count(id.namespace(), entry.freshness() == Freshness.FRESH ? Event.HIT : Event.STALE_HIT);
        hits.record(id, entry);
        return new Found(entry, notMatching != null && notMatching.matchesWeakly(entry.version()));
    }
}
