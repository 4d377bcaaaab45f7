package dev.pgcache.load;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.inject.Singleton;

import dev.pgcache.protocol.CacheStatus;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.Freshness;
import dev.pgcache.entry.StoreUnavailableException;
import dev.pgcache.metrics.CacheMetrics;
import dev.pgcache.metrics.CacheMetrics.Event;
import dev.pgcache.near.NearReads;

/**
 * GET on a namespace with an upstream: answer from the table when the stored entry is acceptable
 * to the request, else load. A stale entry inside its window is answered at once and refreshed
 * in the background (stale-while-revalidate); when a load the request waits for fails, the
 * stored entry is answered if the request allows it (stale-if-error), else the failure is.
 *
 * <table>
 * <tr><th>stored entry</th><th>answer</th></tr>
 * <tr><td>fresh and acceptable</td><td>200 HIT</td></tr>
 * <tr><td>negative and fresh</td><td>404 upstream-not-found, X-Cache: NEGATIVE</td></tr>
 * <tr><td>stale and acceptable</td><td>200 STALE, one refresh in the background</td></tr>
 * <tr><td>none, or not acceptable</td><td>load, wait: 200 MISS, or stale-if-error, or 404/502/504</td></tr>
 * </table>
 */
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
public class ReadThrough {

    /** What to answer: the entry and the X-Cache value (HIT, STALE or MISS). */
    public record Answer(Entry entry, CacheStatus xCache) {
    }

    private final Upstreams upstreams;
    private final Loader loader;
    private final NearReads store;
    private final CacheMetrics metrics;

    private final dev.pgcache.tracing.Tracing tracing;

    ReadThrough(Upstreams upstreams, Loader loader, NearReads store, CacheMetrics metrics, dev.pgcache.tracing.Tracing tracing) {
        this.tracing = tracing;
        this.upstreams = upstreams;
        this.loader = loader;
        this.store = store;
        this.metrics = metrics;
    }

    /** Whether GETs on this namespace read through an upstream. */
    public boolean serves(String namespace) {
        return upstreams.of(namespace).isPresent();
    }

    /**
     * @param cacheControl the request's Cache-Control header, or null
     * @param minRevision  only an entry with at least this revision is acceptable; null for any
     * @throws LoadFailure for every answer that is not a 200
     */
    public Answer get(EntryId id, String cacheControl, Long minRevision) {
        Upstream upstream = upstreams.of(id.namespace()).orElseThrow();
        RequestDirectives d = RequestDirectives.parse(cacheControl);
        Optional<Entry> stored = store.get(id, d.noCache());
        Long seenVersion = stored.map(Entry::version).orElse(null);
        Entry entry = stored.filter(e -> minRevision == null || e.revision() != null && e.revision() >= minRevision).orElse(null);

        if (entry != null && !d.noCache()) {
            if (entry.negative() && entry.freshness() == Freshness.FRESH) {
                metrics.count(id.namespace(), Event.HIT);
                throw LoadFailure.notFound(id, CacheStatus.NEGATIVE, negativeHeaders(entry));
            }
            if (!entry.negative() && acceptableFresh(entry, d)) {
                metrics.count(id.namespace(), Event.HIT);
                return new Answer(entry, CacheStatus.HIT);
            }
            if (!entry.negative() && acceptableStale(entry, d)) {
                metrics.count(id.namespace(), Event.STALE_HIT);
                if (!d.onlyIfCached()) {
                    loader.load(upstream, id, seenVersion, LoadMetrics.Trigger.BACKGROUND);
                }
                return new Answer(entry, CacheStatus.STALE);
            }
        }
        metrics.count(id.namespace(), Event.MISS);
        if (d.onlyIfCached()) {
            throw LoadFailure.notCached(id);
        }

        Loaded loaded;
        try {
            // the span of the wait is the parent of the load's own (on a loader thread), or, when this
            // request joined a load in flight, only says how long it waited for another's
            loaded = tracing.inSpan("pgcache.load.wait", id.namespace(),
                    () -> await(loader.load(upstream, id, seenVersion, LoadMetrics.Trigger.FOREGROUND), upstream));
        } catch (LoadFailure e) {
            if (e.status() >= 500 && staleIfError(entry, d)) {
                return new Answer(entry, CacheStatus.STALE);
            }
            throw e;
        }
        if (loaded.notFound()) {
            throw LoadFailure.notFound(id, CacheStatus.MISS, loaded.entry() == null ? Map.of() : negativeHeaders(loaded.entry()));
        }
        Entry got = loaded.entry();
        if (minRevision != null && (got.revision() == null || got.revision() < minRevision)) {
            throw LoadFailure.belowMinRevision(id, minRevision);
        }
        return new Answer(got, CacheStatus.MISS);
    }

    /** Waits, bounded, for the load; every way it can fail becomes a LoadFailure (or the 503 of a database outage). */
    private static Loaded await(CompletableFuture<Loaded> load, Upstream upstream) {
        try {
            return load.get(upstream.waitTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            load.cancel(false); // this caller's copy only: the load goes on and stores its value for the next reader
            throw LoadFailure.waitTimeout(upstream.namespace(), upstream.waitTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw LoadFailure.waitTimeout(upstream.namespace(), upstream.waitTimeout());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UpstreamFailure f) {
                throw LoadFailure.of(f);
            }
            if (cause instanceof LoadFailure f) {
                throw f;
            }
            if (cause instanceof RuntimeException r) {
                throw r; // e.g. StoreUnavailableException: 503 like any database outage
            }
            throw new StoreUnavailableException("load failed: " + cause, cause);
        }
    }

    private static boolean acceptableFresh(Entry e, RequestDirectives d) {
        if (e.freshness() != Freshness.FRESH) {
            return false;
        }
        if (d.maxAge() != null && e.ageSeconds() > d.maxAge()) {
            return false;
        }
        Long left = e.secondsLeft();
        return d.minFresh() == null || left == null || left >= d.minFresh();
    }

    /** A stale entry is served at once unless the request wants fresher (min-fresh, max-age) or less stale (max-stale=N). */
    private static boolean acceptableStale(Entry e, RequestDirectives d) {
        return e.freshness() == Freshness.STALE
                && d.minFresh() == null
                && (d.maxAge() == null || e.ageSeconds() <= d.maxAge())
                && (d.maxStale() == null || e.secondsStale() <= d.maxStale());
    }

    /**
     * After a failed load, the stored entry may still answer: it is live (the pgcache response
     * carried stale-if-error for its window), the request did not ask for a reload (no-cache),
     * and it is within the request's max-stale.
     */
    private static boolean staleIfError(Entry e, RequestDirectives d) {
        return e != null && !e.negative() && !d.noCache() && (d.maxStale() == null || e.secondsStale() <= d.maxStale());
    }

    private static Map<String, String> negativeHeaders(Entry negative) {
        Long lifetime = negative.freshnessLifetimeSeconds();
        return Map.of("Cache-Control", "max-age=" + (lifetime == null ? 0 : lifetime), "Age", Long.toString(negative.ageSeconds()));
    }
}
