package dev.pgcache.api;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import io.smallrye.common.annotation.RunOnVirtualThread;

import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.EntryStore;
import dev.pgcache.entry.Invalidations;
import dev.pgcache.entry.KeyRules;
import dev.pgcache.entry.Lifetime;
import dev.pgcache.entry.NamespacePolicies;
import dev.pgcache.entry.WriteCoalescer;
import dev.pgcache.entry.WriteOutcome;
import dev.pgcache.entry.WritePrecondition;
import dev.pgcache.entry.WriteRequest;
import dev.pgcache.entry.WriteResult;
import dev.pgcache.hits.HitTracker;
import dev.pgcache.load.ReadThrough;
import dev.pgcache.metrics.CacheMetrics;
import dev.pgcache.metrics.CacheMetrics.Event;
import dev.pgcache.protocol.CacheStatus;
import dev.pgcache.protocol.JsonBodies;
import dev.pgcache.protocol.ProblemException;
import dev.pgcache.security.Access;
import dev.pgcache.security.Scope;

/**
 * Single entries with HTTP conditional requests: write, read, delete and touch one key. The
 * routes and their documentation are in {@link EntryApi}; a plain GET is usually answered
 * before it gets here, by {@link CacheGetRoute}, through the same {@link KeyReads}.
 */
public class EntryResource implements EntryApi {

    private final CachePaths paths;
    private final EntryStore store;
    private final Invalidations invalidations;
    private final KeyRules keyRules;
    private final NamespacePolicies policies;
    private final JsonBodies jsonBodies;
    private final CacheMetrics metrics;
    private final ReadThrough readThrough;
    private final HitTracker hits;
    private final KeyReads keyReads;
    private final WriteCoalescer writes; // PUTs without a precondition share statements (docs/benchmarks.md)

    EntryResource(CachePaths paths, EntryStore store, Invalidations invalidations, KeyRules keyRules, NamespacePolicies policies,
            JsonBodies jsonBodies, CacheMetrics metrics, ReadThrough readThrough, HitTracker hits, KeyReads keyReads,
            WriteCoalescer writes) {
        this.paths = paths;
        this.store = store;
        this.invalidations = invalidations;
        this.keyRules = keyRules;
        this.policies = policies;
        this.jsonBodies = jsonBodies;
        this.metrics = metrics;
        this.readThrough = readThrough;
        this.hits = hits;
        this.keyReads = keyReads;
        this.writes = writes;
    }

    @Override
    @Access(value = Scope.WRITE, namespace = "{namespace}")
    public Response put(String rawNamespace, String rawKey, String revision, String contentType, String ifMatch, String ifNoneMatch,
            String cacheControl, UriInfo uri, byte[] body) {
        EntryId id = paths.id(rawNamespace, rawKey);
        JsonContent.require(contentType);
        WritePrecondition precondition = WriteConditions.of(EntityTags.parse(ifMatch, "If-Match"),
                EntityTags.parse(ifNoneMatch, "If-None-Match"));
        Lifetime lifetime = lifetime(id.namespace(), new QueryParams(uri), RequestCacheControl.parse(cacheControl));
        List<String> tags = keyRules.checkTags(new QueryParams(uri).all("tag"));
        Long rev = Revisions.ofHeader(revision);
        JsonBodies.Value value = jsonBodies.checkValue(body);
        if (precondition == null) {
            // If-Match named no strong tag, so it cannot hold; say which version is live
            throw WriteConditions.preconditionFailed(id, liveVersion(id));
        }

        WriteOutcome outcome = writes.upsert(new WriteRequest(id, value.json(), value.storedBytes(), lifetime, tags, rev, precondition));
        WriteResult result = switch (outcome) {
            case WriteOutcome.Written w -> w.result();
            case WriteOutcome.PreconditionFailed f -> throw WriteConditions.preconditionFailed(id, f.currentVersion());
            case WriteOutcome.RevisionConflict c -> throw WriteConditions.revisionConflict(id, rev, c.storedRevision());
        };
        metrics.count(id.namespace(), Event.WRITE);

        Response.ResponseBuilder r = result.created()
                ? Response.created(URI.create(uri.getRequestUri().getRawPath()))
                : Response.ok();
        if (rev != null) {
            r.header(CachingHeaders.X_REVISION, rev);
        }
        return r.tag(CachingHeaders.etag(result.version())).entity(writeAnswer(id, result)).build();
    }

    @Override
    @Access(value = Scope.READ, namespace = "{namespace}")
    // a virtual thread per read: ~10% less CPU per GET and a lower p99 than the worker pool
    // under 32 connections on 2 cores (docs/benchmarks.md, "Thread model"); writes were even
    @RunOnVirtualThread
    public Response get(String rawNamespace, String rawKey, String ifNoneMatch, String cacheControl, UriInfo uri) {
        EntryId id = paths.servedId(rawNamespace, rawKey);
        EntityTags notMatching = EntityTags.parse(ifNoneMatch, "If-None-Match");
        Long minRevision = Revisions.ofMinimum(new QueryParams(uri).single("min-revision"));
        if (readThrough.serves(id.namespace())) {
            // a namespace with an upstream loads on a miss; see dev.pgcache.load.ReadThrough
            ReadThrough.Answer answer = readThrough.get(id, cacheControl, minRevision);
            if (answer.xCache() != CacheStatus.MISS) {
                hits.record(id, answer.entry()); // served from the table, fresh or stale; a MISS was just written
            }
            Response.ResponseBuilder r = notMatching != null && notMatching.matchesWeakly(answer.entry().version())
                    ? Response.notModified()
                    : Response.ok(body(answer.entry()), MediaType.APPLICATION_JSON_TYPE);
            return CachingHeaders.apply(r, answer.entry(), answer.xCache()).build();
        }

        KeyReads.Found found = keyReads.read(id, notMatching, minRevision, cacheControl);
        Response.ResponseBuilder r = found.notModified()
                ? Response.notModified()
                : Response.ok(body(found.entry()), MediaType.APPLICATION_JSON_TYPE);
        found.headers().forEach(r::header);
        return r.build();
    }

    @Override
    @Access(value = Scope.WRITE, namespace = "{namespace}")
    public Response delete(String rawNamespace, String rawKey, String ifMatch) {
        EntryId id = paths.servedId(rawNamespace, rawKey);
        EntityTags matching = EntityTags.parse(ifMatch, "If-Match");
        boolean deleted;
        if (matching == null || matching.any()) {
            deleted = invalidations.invalidate(id);
            if (!deleted && matching != null) {
                throw WriteConditions.preconditionFailed(id, null);
            }
        } else {
            deleted = !matching.strongVersions().isEmpty() && invalidations.invalidateIfMatch(id, matching.strongVersions());
            if (!deleted) {
                throw WriteConditions.preconditionFailed(id, liveVersion(id));
            }
        }
        if (!deleted) {
            throw new ProblemException(404, "not-found", "Not found",
                    "no live entry for key '" + id.key() + "' in namespace '" + id.namespace() + "'");
        }
        metrics.count(id.namespace(), Event.INVALIDATION);
        return Response.noContent().build();
    }

    @Override
    @Access(value = Scope.WRITE, namespace = "{namespace}")
    public Response touch(String rawNamespace, String rawKey, UriInfo uri) {
        EntryId id = paths.id(rawNamespace, rawKey);
        QueryParams query = new QueryParams(uri);
        Lifetime lifetime = policies.lifetimeFor(id.namespace(), query.single("ttl"), query.single("stale"));
        WriteResult touched = store.touch(id, lifetime).orElseThrow(() -> new ProblemException(404, "not-found", "Not found",
                "no live entry for key '" + id.key() + "' in namespace '" + id.namespace() + "' to touch"));
        return Response.ok(writeAnswer(id, touched)).tag(CachingHeaders.etag(touched.version())).build();
    }

    /** The live entry's version, for a 412 that names it; null when there is none. */
    private Long liveVersion(EntryId id) {
        return store.get(id).map(Entry::version).orElse(null);
    }

    /** Query parameters first, then the request's Cache-Control, then the namespace's policy. */
    private Lifetime lifetime(String namespace, QueryParams query, RequestCacheControl cc) {
        String ttl = query.single("ttl");
        String stale = query.single("stale");
        return policies.lifetimeFor(namespace, ttl != null ? ttl : cc.maxAge(), stale != null ? stale : cc.staleWhileRevalidate());
    }

    /**
     * The stored JSON as bytes: a byte[] entity goes to the connection in one write, where a String
     * takes the JSON writer's output-stream path (measured in docs/benchmarks.md).
     */
    private static byte[] body(Entry entry) {
        return entry.json().getBytes(StandardCharsets.UTF_8);
    }

    private static Answers.WriteAnswer writeAnswer(EntryId id, WriteResult result) {
        return new Answers.WriteAnswer(id.namespace(), id.key(), result.version(), result.created(), result.expiresAt(),
                result.staleUntil());
    }
}
