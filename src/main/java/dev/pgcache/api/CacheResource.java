package dev.pgcache.api;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import dev.pgcache.entry.BatchWrite;
import dev.pgcache.entry.BatchWriteResult;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.EntryStore;
import dev.pgcache.entry.Freshness;
import dev.pgcache.entry.KeyListing;
import dev.pgcache.entry.KeyRules;
import dev.pgcache.entry.Lifetime;
import dev.pgcache.entry.NamespacePolicies;
import dev.pgcache.entry.WriteOutcome;
import dev.pgcache.entry.WritePrecondition;
import dev.pgcache.entry.WriteRequest;
import dev.pgcache.entry.WriteResult;
import dev.pgcache.load.ReadThrough;
import dev.pgcache.metrics.CacheMetrics;
import dev.pgcache.metrics.CacheMetrics.Event;

/**
 * REST v1 for the entries of one namespace: single entries with HTTP conditional requests,
 * touch, batch reads and writes, listing and invalidation. Keys arrive percent-encoded and are
 * decoded strictly here ({@link PathText}), so a key may hold '/', '?', '#' or any other UTF-8
 * character when the caller encodes it.
 */
@Path("/v1/cache/{namespace}")
public class CacheResource {

    private static final int DEFAULT_LIST_LIMIT = 100;

    private final EntryStore store;
    private final KeyRules keyRules;
    private final NamespacePolicies policies;
    private final JsonBodies jsonBodies;
    private final BatchBodies batchBodies;
    private final CacheMetrics metrics;
    private final ReadThrough readThrough;
    private final int maxListLimit;

    CacheResource(EntryStore store, KeyRules keyRules, NamespacePolicies policies, JsonBodies jsonBodies, BatchBodies batchBodies,
            CacheMetrics metrics, ReadThrough readThrough, dev.pgcache.config.PgcacheConfig config) {
        this.store = store;
        this.keyRules = keyRules;
        this.policies = policies;
        this.jsonBodies = jsonBodies;
        this.batchBodies = batchBodies;
        this.metrics = metrics;
        this.readThrough = readThrough;
        this.maxListLimit = config.limits().maxListLimit();
    }

    @PUT
    @Path("{key}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Parameter(name = "ttl", in = ParameterIn.QUERY, description = "Time to live: seconds, ISO-8601 (PT5M), 30s/5m/1h/7d, or never. Default: Cache-Control max-age, else the namespace's.")
    @Parameter(name = "stale", in = ParameterIn.QUERY, description = "How long after expiry the value may be served stale. Default: Cache-Control stale-while-revalidate, else the namespace's.")
    @Parameter(name = "tag", in = ParameterIn.QUERY, description = "A tag for invalidation by tag; repeat for several.")
    public Response put(@Encoded @PathParam("namespace") String rawNamespace, @Encoded @PathParam("key") String rawKey,
            @HeaderParam(CachingHeaders.X_REVISION) String revision, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch,
            @HeaderParam(HttpHeaders.CACHE_CONTROL) String cacheControl, @Context UriInfo uri, byte[] body) {
        EntryId id = id(rawNamespace, rawKey);
        requireJson(contentType);
        WritePrecondition precondition = writePrecondition(EntityTags.parse(ifMatch, "If-Match"),
                EntityTags.parse(ifNoneMatch, "If-None-Match"));
        Lifetime lifetime = lifetime(id.namespace(), new QueryParams(uri), RequestCacheControl.parse(cacheControl));
        List<String> tags = keyRules.checkTags(new QueryParams(uri).all("tag"));
        Long rev = revision(revision);
        String json = jsonBodies.checkValue(body);
        if (precondition == null) {
            throw preconditionFailed(id, null);
        }

        WriteOutcome outcome = store.upsert(new WriteRequest(id, json, body.length, lifetime, tags, rev, precondition));
        WriteResult result = switch (outcome) {
            case WriteOutcome.Written w -> w.result();
            case WriteOutcome.PreconditionFailed f -> throw preconditionFailed(id, f.currentVersion());
            case WriteOutcome.RevisionConflict c -> throw revisionConflict(id, rev, c.storedRevision());
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

    @GET
    @Path("{key}")
    @Produces(MediaType.APPLICATION_JSON)
    @Parameter(name = "min-revision", in = ParameterIn.QUERY, description = "Treat an entry with a lower (or no) revision as a miss.")
    public Response get(@Encoded @PathParam("namespace") String rawNamespace, @Encoded @PathParam("key") String rawKey,
            @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch, @HeaderParam(HttpHeaders.CACHE_CONTROL) String cacheControl,
            @Context UriInfo uri) {
        EntryId id = id(rawNamespace, rawKey);
        policies.policyFor(id.namespace());
        EntityTags notMatching = EntityTags.parse(ifNoneMatch, "If-None-Match");
        Long minRevision = minRevision(new QueryParams(uri).single("min-revision"));
        if (readThrough.serves(id.namespace())) {
            // a namespace with an upstream loads on a miss; see dev.pgcache.load.ReadThrough
            ReadThrough.Answer answer = readThrough.get(id, cacheControl, minRevision);
            Response.ResponseBuilder r = notMatching != null && notMatching.matchesWeakly(answer.entry().version())
                    ? Response.notModified()
                    : Response.ok(answer.entry().json(), MediaType.APPLICATION_JSON_TYPE);
            return CachingHeaders.apply(r, answer.entry(), answer.xCache()).build();
        }

        Entry entry = store.get(id)
                .filter(e -> minRevision == null || e.revision() != null && e.revision() >= minRevision)
                .orElse(null);
        if (entry == null) {
            metrics.count(id.namespace(), Event.MISS);
            throw new ProblemException(Problem.of(404, "cache-miss", "Not found",
                    "no live entry for key '" + id.key() + "' in namespace '" + id.namespace() + "'"
                            + (minRevision == null ? "" : " with revision " + minRevision + " or higher")),
                    Map.of(CachingHeaders.X_CACHE, "MISS"));
        }
        metrics.count(id.namespace(), entry.freshness() == Freshness.FRESH ? Event.HIT : Event.STALE_HIT);
        if (notMatching != null && notMatching.matchesWeakly(entry.version())) {
            return CachingHeaders.apply(Response.notModified(), entry).build();
        }
        return CachingHeaders.apply(Response.ok(entry.json(), MediaType.APPLICATION_JSON_TYPE), entry).build();
    }

    @DELETE
    @Path("{key}")
    public Response delete(@Encoded @PathParam("namespace") String rawNamespace, @Encoded @PathParam("key") String rawKey,
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        EntryId id = id(rawNamespace, rawKey);
        policies.policyFor(id.namespace());
        EntityTags matching = EntityTags.parse(ifMatch, "If-Match");
        boolean deleted;
        if (matching == null || matching.any()) {
            deleted = store.invalidate(id);
            if (!deleted && matching != null) {
                throw preconditionFailed(id, null);
            }
        } else {
            deleted = !matching.strongVersions().isEmpty() && store.invalidateIfMatch(id, matching.strongVersions());
            if (!deleted) {
                throw preconditionFailed(id, store.get(id).map(Entry::version).orElse(null));
            }
        }
        if (!deleted) {
            throw new ProblemException(404, "not-found", "Not found",
                    "no live entry for key '" + id.key() + "' in namespace '" + id.namespace() + "'");
        }
        metrics.count(id.namespace(), Event.INVALIDATION);
        return Response.noContent().build();
    }

    /** Gives a live entry a new lifetime from now without rewriting it; the version (ETag) stays. */
    @POST
    @Path("{key}/touch")
    @Produces(MediaType.APPLICATION_JSON)
    @Parameter(name = "ttl", in = ParameterIn.QUERY, description = "The new time to live from now. Default: the namespace's.")
    @Parameter(name = "stale", in = ParameterIn.QUERY, description = "The new stale window after it. Default: the namespace's.")
    public Response touch(@Encoded @PathParam("namespace") String rawNamespace, @Encoded @PathParam("key") String rawKey,
            @Context UriInfo uri) {
        EntryId id = id(rawNamespace, rawKey);
        QueryParams query = new QueryParams(uri);
        Lifetime lifetime = policies.lifetimeFor(id.namespace(), query.single("ttl"), query.single("stale"));
        WriteResult touched = store.touch(id, lifetime).orElseThrow(() -> new ProblemException(404, "not-found", "Not found",
                "no live entry for key '" + id.key() + "' in namespace '" + id.namespace() + "' to touch"));
        return Response.ok(writeAnswer(id, touched)).tag(CachingHeaders.etag(touched.version())).build();
    }

    /** Keys with their metadata (no values), in key order, a page at a time. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Parameter(name = "prefix", in = ParameterIn.QUERY, description = "Only keys starting with this text.")
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "Keys per page, 1 to pgcache.limits.max-list-limit (default 1000); default 100.")
    @Parameter(name = "after", in = ParameterIn.QUERY, description = "The next cursor of the previous page.")
    public Map<String, Object> list(@Encoded @PathParam("namespace") String rawNamespace, @Context UriInfo uri) {
        String namespace = namespace(rawNamespace);
        QueryParams query = new QueryParams(uri);
        String prefix = query.single("prefix");
        if (prefix != null) {
            keyRules.checkPrefix(prefix);
        }
        int limit = listLimit(query.single("limit"));
        String after = cursorKey(query.single("after"));
        KeyListing page = store.list(namespace, prefix, after, limit);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("namespace", namespace);
        answer.put("items", page.items().stream().map(CacheResource::listItem).toList());
        answer.put("next", page.next() == null ? null : cursorOf(page.next()));
        return answer;
    }

    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    @Parameter(name = "prefix", in = ParameterIn.QUERY, description = "Invalidate only keys starting with this text (not empty).")
    @Parameter(name = "tag", in = ParameterIn.QUERY, description = "Invalidate only entries carrying this tag.")
    public Map<String, Long> invalidate(@Encoded @PathParam("namespace") String rawNamespace, @Context UriInfo uri) {
        String namespace = namespace(rawNamespace);
        QueryParams query = new QueryParams(uri);
        String prefix = query.single("prefix");
        String tag = query.single("tag");
        if (prefix != null && tag != null) {
            throw ProblemException.badRequest("invalid-invalidation", "give either prefix or tag, not both");
        }
        long n;
        if (prefix != null) {
            n = store.invalidatePrefix(namespace, keyRules.checkPrefix(prefix));
        } else if (tag != null) {
            n = store.invalidateTag(namespace, keyRules.checkTag(tag));
        } else {
            n = store.invalidateNamespace(namespace);
        }
        metrics.count(namespace, Event.INVALIDATION, n);
        return Map.of("invalidated", n);
    }

    /** Many keys in one round trip to the database; each answered with its value and state, or as a miss. */
    @POST
    @Path("batch-get")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response batchGet(@Encoded @PathParam("namespace") String rawNamespace,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        String namespace = namespace(rawNamespace);
        requireJson(contentType);
        List<String> keys = batchBodies.keys(body);
        for (int i = 0; i < keys.size(); i++) {
            checkBatchKey(keys.get(i), "keys[" + i + "]");
        }
        List<Optional<Entry>> entries = keys.isEmpty() ? List.of() : store.getAll(namespace, keys);
        for (Optional<Entry> e : entries) {
            metrics.count(namespace, e.isEmpty() ? Event.MISS : e.get().freshness() == Freshness.FRESH ? Event.HIT : Event.STALE_HIT);
        }
        return Response.ok(BatchAnswers.entries(keys, entries), MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** Many writes in one statement; each entry is created, replaced, or refused with its reason. */
    @POST
    @Path("batch-put")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> batchPut(@Encoded @PathParam("namespace") String rawNamespace,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        String namespace = namespace(rawNamespace);
        requireJson(contentType);
        List<BatchBodies.PutItem> items = batchBodies.entries(body);
        Set<String> seen = new HashSet<>();
        List<BatchWrite> writes = new java.util.ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            BatchBodies.PutItem item = items.get(i);
            String where = "entries[" + i + "]";
            checkBatchKey(item.key(), where + ".key");
            if (!seen.add(item.key())) {
                throw ProblemException.badRequest("invalid-batch", where + ".key '" + item.key() + "' appears more than once in the batch");
            }
            Lifetime lifetime;
            List<String> tags;
            try {
                lifetime = policies.lifetimeFor(namespace, item.ttl(), item.stale());
                tags = keyRules.checkTags(item.tags());
            } catch (dev.pgcache.entry.InvalidInputException e) {
                throw new dev.pgcache.entry.InvalidInputException(e.problemType(), where + ": " + e.getMessage());
            }
            writes.add(new BatchWrite(item.key(), item.json(), item.sizeBytes(), lifetime, tags, item.revision()));
        }
        List<BatchWriteResult> results = writes.isEmpty() ? List.of() : store.upsertAll(namespace, writes);
        long written = results.stream().filter(BatchWriteResult::written).count();
        metrics.count(namespace, Event.WRITE, written);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("results", results.stream().map(r -> batchResult(r, writes)).toList());
        answer.put("written", written);
        answer.put("refused", results.size() - written);
        return answer;
    }

    private static Map<String, Object> batchResult(BatchWriteResult r, List<BatchWrite> writes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", r.key());
        if (r.written()) {
            m.put("outcome", r.result().created() ? "created" : "replaced");
            m.put("version", r.result().version());
            m.put("expiresAt", r.result().expiresAt());
            m.put("staleUntil", r.result().staleUntil());
        } else {
            Long sent = writes.stream().filter(w -> w.key().equals(r.key())).findFirst().map(BatchWrite::revision).orElse(null);
            m.put("outcome", "refused");
            m.put("reason", "revision " + sent + " is lower than the stored revision " + r.storedRevision());
            m.put("storedRevision", r.storedRevision());
        }
        return m;
    }

    private void checkBatchKey(String key, String where) {
        try {
            keyRules.checkKey(key);
        } catch (dev.pgcache.entry.InvalidInputException e) {
            throw new dev.pgcache.entry.InvalidInputException(e.problemType(), where + ": " + e.getMessage());
        }
    }

    private String namespace(String rawNamespace) {
        String namespace = keyRules.checkNamespace(PathText.decode(rawNamespace, "namespace"));
        policies.policyFor(namespace);
        return namespace;
    }

    private EntryId id(String rawNamespace, String rawKey) {
        return keyRules.checkId(PathText.decode(rawNamespace, "namespace"), PathText.decode(rawKey, "key"));
    }

    /** Query parameters first, then the request's Cache-Control, then the namespace's policy. */
    private Lifetime lifetime(String namespace, QueryParams query, RequestCacheControl cc) {
        String ttl = query.single("ttl");
        String stale = query.single("stale");
        return policies.lifetimeFor(namespace, ttl != null ? ttl : cc.maxAge(), stale != null ? stale : cc.staleWhileRevalidate());
    }

    /** The write precondition, or null when If-Match names no version this entry could ever have (so it cannot hold). */
    private static WritePrecondition writePrecondition(EntityTags ifMatch, EntityTags ifNoneMatch) {
        if (ifMatch != null && ifNoneMatch != null) {
            throw ProblemException.badRequest("invalid-precondition", "send If-Match or If-None-Match, not both");
        }
        if (ifMatch != null) {
            if (ifMatch.any()) {
                return new WritePrecondition.IfMatch(Set.of());
            }
            return ifMatch.strongVersions().isEmpty() ? null : new WritePrecondition.IfMatch(ifMatch.strongVersions());
        }
        if (ifNoneMatch != null) {
            if (ifNoneMatch.any()) {
                return new WritePrecondition.IfNoneMatch(Set.of());
            }
            return ifNoneMatch.allVersions().isEmpty() ? WritePrecondition.NONE : new WritePrecondition.IfNoneMatch(ifNoneMatch.allVersions());
        }
        return WritePrecondition.NONE;
    }

    private static ProblemException preconditionFailed(EntryId id, Long currentVersion) {
        String detail = currentVersion == null
                ? "the precondition failed: there is no live entry for key '" + id.key() + "' that it matches"
                : "the precondition failed: the live entry for key '" + id.key() + "' has version " + currentVersion;
        Map<String, String> headers = currentVersion == null ? Map.of() : Map.of(HttpHeaders.ETAG, "\"" + currentVersion + "\"");
        return new ProblemException(Problem.of(412, "precondition-failed", "Precondition failed", detail), headers);
    }

    private static ProblemException revisionConflict(EntryId id, Long sent, long stored) {
        return new ProblemException(Problem.of(409, "revision-conflict", "Conflict",
                "the stored entry for key '" + id.key() + "' has revision " + stored + ", higher than this write's revision " + sent
                        + "; nothing was written"),
                Map.of(CachingHeaders.X_REVISION, Long.toString(stored)));
    }

    private static Map<String, Object> writeAnswer(EntryId id, WriteResult result) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("namespace", id.namespace());
        answer.put("key", id.key());
        answer.put("version", result.version());
        answer.put("created", result.created());
        answer.put("expiresAt", result.expiresAt());
        answer.put("staleUntil", result.staleUntil());
        return answer;
    }

    private static Map<String, Object> listItem(KeyListing.Item i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", i.key());
        m.put("state", i.freshness() == Freshness.FRESH ? "fresh" : "stale");
        m.put("version", i.version());
        m.put("revision", i.revision());
        m.put("fetchedAt", i.fetchedAt());
        m.put("expiresAt", i.expiresAt());
        m.put("staleUntil", i.staleUntil());
        m.put("sizeBytes", i.sizeBytes());
        m.put("tags", i.tags());
        m.put("hitCount", i.hitCount());
        return m;
    }

    private int listLimit(String text) {
        if (text == null) {
            return Math.min(DEFAULT_LIST_LIMIT, maxListLimit);
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit >= 1 && limit <= maxListLimit) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ProblemException.badRequest("invalid-limit", "limit must be a whole number from 1 to " + maxListLimit);
    }

    /** Cursors are the last key of a page, base64url-encoded so any key travels safely in a query string. */
    private static String cursorOf(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    private String cursorKey(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            return keyRules.checkKey(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | dev.pgcache.entry.InvalidInputException e) {
            throw ProblemException.badRequest("invalid-cursor", "after must be the next cursor of a previous page");
        }
    }

    private static Long minRevision(String text) {
        return text == null ? null : parseRevision(text, "min-revision");
    }

    private static Long revision(String header) {
        return header == null ? null : parseRevision(header, CachingHeaders.X_REVISION);
    }

    private static long parseRevision(String text, String name) {
        try {
            long rev = Long.parseLong(text.trim());
            if (rev >= 0) {
                return rev;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ProblemException.badRequest("invalid-revision", name + " must be a whole number from 0 to " + Long.MAX_VALUE);
    }

    private static void requireJson(String contentType) {
        if (contentType == null) {
            return; // a body without a declared type is read as JSON
        }
        MediaType type;
        try {
            type = MediaType.valueOf(contentType);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(415, "unsupported-media-type", "Unsupported Media Type",
                    "Content-Type '" + contentType + "' cannot be read; send application/json");
        }
        boolean json = type.getSubtype().equalsIgnoreCase("json") || type.getSubtype().toLowerCase(java.util.Locale.ROOT).endsWith("+json");
        if (!json) {
            throw new ProblemException(415, "unsupported-media-type", "Unsupported Media Type",
                    "Content-Type '" + type.getType() + "/" + type.getSubtype() + "' is not JSON; send application/json");
        }
    }
}
