package dev.pgcache.api;

import jakarta.ws.rs.core.UriInfo;

import dev.pgcache.entry.Invalidations;
import dev.pgcache.entry.KeyRules;
import dev.pgcache.metrics.CacheMetrics;
import dev.pgcache.metrics.CacheMetrics.Event;
import dev.pgcache.protocol.ProblemException;
import dev.pgcache.security.Access;
import dev.pgcache.security.Scope;

/**
 * Invalidation of many entries of a namespace at once: by key prefix, by tag, or all of them,
 * in bounded batches ({@link Invalidations}). One key is deleted by {@link EntryResource}; the
 * route and its documentation are in {@link InvalidationApi}.
 */
public class InvalidationResource implements InvalidationApi {

    private final CachePaths paths;
    private final Invalidations invalidations;
    private final KeyRules keyRules;
    private final CacheMetrics metrics;

    InvalidationResource(CachePaths paths, Invalidations invalidations, KeyRules keyRules, CacheMetrics metrics) {
        this.paths = paths;
        this.invalidations = invalidations;
        this.keyRules = keyRules;
        this.metrics = metrics;
    }

    @Override
    @Access(value = Scope.WRITE, namespace = "{namespace}")
    public Answers.Invalidated invalidate(String rawNamespace, UriInfo uri) {
        String namespace = paths.namespace(rawNamespace);
        QueryParams query = new QueryParams(uri);
        String prefix = query.single("prefix");
        String tag = query.single("tag");
        if (prefix != null && tag != null) {
            throw ProblemException.badRequest("invalid-invalidation", "give either prefix or tag, not both");
        }
        long n;
        if (prefix != null) {
            n = invalidations.invalidatePrefix(namespace, keyRules.checkPrefix(prefix));
        } else if (tag != null) {
            n = invalidations.invalidateTag(namespace, keyRules.checkTag(tag));
        } else {
            n = invalidations.invalidateNamespace(namespace);
        }
        metrics.count(namespace, Event.INVALIDATION, n);
        return new Answers.Invalidated(n);
    }
}
