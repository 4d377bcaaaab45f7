package dev.pgcache.api;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Inject;
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

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.ext.web.RoutingContext;

import dev.pgcache.protocol.CacheStatus;
import dev.pgcache.protocol.Problem;
import dev.pgcache.protocol.ProblemException;
import dev.pgcache.protocol.JsonBodies;
import dev.pgcache.security.Access;
import dev.pgcache.security.Scope;
import dev.pgcache.entry.BatchWrite;
import dev.pgcache.entry.BatchWriteResult;
import dev.pgcache.entry.BoundedReads;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.EntryStore;
import dev.pgcache.entry.Invalidations;
import dev.pgcache.entry.Freshness;
import dev.pgcache.entry.KeyListing;
import dev.pgcache.entry.KeyRules;
import dev.pgcache.entry.Lifetime;
import dev.pgcache.entry.NamespacePolicies;
import dev.pgcache.entry.WriteCoalescer;
import dev.pgcache.entry.WriteOutcome;
import dev.pgcache.entry.WritePrecondition;
import dev.pgcache.entry.WriteRequest;
import dev.pgcache.entry.WriteResult;
import dev.pgcache.load.ReadThrough;
import dev.pgcache.hits.HitTracker;
import dev.pgcache.metrics.CacheMetrics;
import dev.pgcache.memory.AnswerLimit;
import dev.pgcache.metrics.CacheMetrics.Event;

/**
 * REST v1 for the entries of one namespace: single entries with HTTP conditional requests,
 * touch, batch reads and writes, listing and invalidation. Keys arrive percent-encoded and are
 * decoded strictly here ({@link PathText}), so a key may hold '/', '?', '#' or any other UTF-8
 * character when the caller encodes it.
 */
@Path("/v1/cache/{namespace}")
@SecurityScheme(securitySchemeName = ApiExamples.SECURITY_SCHEME, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = ApiExamples.SECURITY_SCHEME_TEXT)
@SecurityRequirement(name = ApiExamples.SECURITY_SCHEME)
public class CacheResource {

    private static final int DEFAULT_LIST_LIMIT = 100;

    private final EntryStore store;
    private final Invalidations invalidations;
    private final KeyRules keyRules;
    private final NamespacePolicies policies;
    private final JsonBodies jsonBodies;
    private final BatchBodies batchBodies;
    private final CacheMetrics metrics;
    private final ReadThrough readThrough;
    private final int maxListLimit;
    private final AnswerLimit answerLimit;

    // field-injected so this feature does not touch the constructor
    @Inject
    HitTracker hits;

    @Inject
    KeyReads keyReads;

    // PUTs without a precondition share statements (docs/benchmarks.md)
    @Inject
    WriteCoalescer writes;

    // batch-get answers are bounded before their values are read (docs/security.md)
    @Inject
    BoundedReads boundedReads;

    CacheResource(EntryStore store, Invalidations invalidations, KeyRules keyRules, NamespacePolicies policies, JsonBodies jsonBodies, BatchBodies batchBodies,
            CacheMetrics metrics, ReadThrough readThrough, dev.pgcache.config.PgcacheConfig config) {
        this.store = store;
        this.invalidations = invalidations;
        this.keyRules = keyRules;
        this.policies = policies;
        this.jsonBodies = jsonBodies;
        this.batchBodies = batchBodies;
        this.metrics = metrics;
        this.readThrough = readThrough;
        this.maxListLimit = config.limits().maxListLimit();
        this.answerLimit = AnswerLimit.of(config.limits().maxAnswerSize(), config, "pgcache.limits.max-answer-size",
                "ask for fewer keys at a time");
    }

    @Access(value = Scope.WRITE, namespace = "{namespace}")
    @PUT
    @Path("{key}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiExamples.TAG_ENTRIES, description = ApiExamples.TAG_ENTRIES_TEXT)
    @Operation(operationId = "putEntry", summary = "Store a value",
            description = "Creates or replaces the entry in one SQL statement, with its preconditions and revision rule inside that "
                    + "statement: a refused write writes nothing. The lifetime comes from ?ttl= / ?stale=, else the request's "
                    + "Cache-Control, else the namespace's policy. Every write replaces value, lifetime, tags and revision.")
    @Parameter(name = "namespace", in = ParameterIn.PATH, description = ApiExamples.NAMESPACE, example = "demo")
    @Parameter(name = "key", in = ParameterIn.PATH, description = ApiExamples.KEY, example = "block:19000000")
    @Parameter(name = "ttl", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING), example = "5m",
            description = ApiExamples.TTL + " Default: Cache-Control max-age, else the namespace's.")
    @Parameter(name = "stale", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING), example = "1m",
            description = ApiExamples.STALE + " Default: Cache-Control stale-while-revalidate, else the namespace's.")
    @Parameter(name = "tag", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING), example = "chain:1",
            description = "A tag for invalidation by tag; repeat for several (at most 32, each 1 to 128 UTF-8 bytes).")
    @Parameter(name = CachingHeaders.X_REVISION, in = ParameterIn.HEADER, description = ApiExamples.X_REVISION,
            schema = @Schema(type = SchemaType.INTEGER, format = "int64", minimum = "0"), example = "19000000")
    @Parameter(name = HttpHeaders.IF_MATCH, in = ParameterIn.HEADER, description = ApiExamples.IF_MATCH_PUT, example = "\"41\"")
    @Parameter(name = HttpHeaders.IF_NONE_MATCH, in = ParameterIn.HEADER, description = ApiExamples.IF_NONE_MATCH_PUT, example = "*")
    @Parameter(name = HttpHeaders.CACHE_CONTROL, in = ParameterIn.HEADER, description = ApiExamples.CACHE_CONTROL_PUT,
            example = "max-age=300, stale-while-revalidate=60")
    @RequestBody(required = true, description = "Exactly one JSON value of any kind, UTF-8, at most pgcache.limits.max-value-size (1 MiB). "
            + "Stored as jsonb: equal as JSON to what was sent, not byte-identical.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(description = "any JSON value"),
                    examples = @ExampleObject(name = "block", value = ApiExamples.VALUE)))
    @APIResponse(responseCode = "201", description = "Created: no live entry existed (absent, or gone and waiting for purge)",
            headers = {
                    @Header(name = "ETag", description = ApiExamples.ETAG, schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Location", description = ApiExamples.LOCATION,
                            schema = @Schema(type = SchemaType.STRING, format = "uri")),
                    @Header(name = CachingHeaders.X_REVISION, description = ApiExamples.X_REVISION_OUT,
                            schema = @Schema(type = SchemaType.INTEGER, format = "int64")) },
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.WriteAnswer.class),
                    examples = @ExampleObject(name = "created", value = ApiExamples.PUT_CREATED)))
    @APIResponse(responseCode = "200", description = "Replaced a live entry",
            headers = {
                    @Header(name = "ETag", description = ApiExamples.ETAG, schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = CachingHeaders.X_REVISION, description = ApiExamples.X_REVISION_OUT,
                            schema = @Schema(type = SchemaType.INTEGER, format = "int64")) },
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.WriteAnswer.class),
                    examples = @ExampleObject(name = "replaced", value = ApiExamples.PUT_REPLACED)))
    @APIResponse(responseCode = "400", description = "Bad namespace, key, ttl, stale, tag, X-Revision, If-Match/If-None-Match, "
            + "Cache-Control or JSON value; nothing written",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "invalid-namespace", value = ApiExamples.INVALID_NAMESPACE),
                    @ExampleObject(name = "invalid-key", value = ApiExamples.INVALID_KEY),
                    @ExampleObject(name = "invalid-ttl", value = ApiExamples.INVALID_TTL),
                    @ExampleObject(name = "invalid-stale", value = ApiExamples.INVALID_STALE),
                    @ExampleObject(name = "invalid-tag", value = ApiExamples.INVALID_TAG),
                    @ExampleObject(name = "invalid-revision", value = ApiExamples.INVALID_REVISION),
                    @ExampleObject(name = "invalid-precondition", value = ApiExamples.INVALID_PRECONDITION),
                    @ExampleObject(name = "invalid-cache-control", value = ApiExamples.INVALID_CACHE_CONTROL),
                    @ExampleObject(name = "invalid-json", value = ApiExamples.INVALID_JSON),
                    @ExampleObject(name = "unsupported-json", value = ApiExamples.UNSUPPORTED_JSON),
                    @ExampleObject(name = "unsupported-json-number", value = ApiExamples.UNSUPPORTED_NUMBER),
                    @ExampleObject(name = "json-too-complex", value = ApiExamples.JSON_TOO_COMPLEX),
                    @ExampleObject(name = "invalid-value", value = ApiExamples.INVALID_VALUE) }))
    @APIResponse(responseCode = "404", description = ApiExamples.R_UNKNOWN_NAMESPACE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unknown-namespace", value = ApiExamples.UNKNOWN_NAMESPACE)))
    @APIResponse(responseCode = "409", description = "revision-conflict: the stored live entry holds a higher revision than X-Revision; "
            + "nothing written. X-Revision carries the stored revision.",
            headers = @Header(name = CachingHeaders.X_REVISION, description = ApiExamples.X_REVISION_409,
                    schema = @Schema(type = SchemaType.INTEGER, format = "int64")),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "revision-conflict", value = ApiExamples.REVISION_CONFLICT)))
    @APIResponse(responseCode = "412", description = "precondition-failed: If-Match or If-None-Match did not hold; nothing written. "
            + "ETag carries the live entry's version when there is one.",
            headers = @Header(name = "ETag", description = ApiExamples.ETAG_412, schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "precondition-failed", value = ApiExamples.PRECONDITION_FAILED)))
    @APIResponse(responseCode = "413", description = "payload-too-large: the value is over pgcache.limits.max-value-size (as sent, "
            + "or with its numbers in exponent form written out in full, as PostgreSQL stores them), or the declared Content-Length over "
            + "the 16 MiB transport cap",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "payload-too-large", value = ApiExamples.VALUE_TOO_LARGE),
                    @ExampleObject(name = "value-grows-too-large", value = ApiExamples.VALUE_GROWS_TOO_LARGE) }))
    @APIResponse(responseCode = "415", description = ApiExamples.R_UNSUPPORTED_MEDIA_TYPE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unsupported-media-type", value = ApiExamples.UNSUPPORTED_MEDIA_TYPE)))
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
        JsonBodies.Value value = jsonBodies.checkValue(body);
        if (precondition == null) {
            // If-Match named no strong tag, so it cannot hold; say which version is live
            throw preconditionFailed(id, store.get(id).map(Entry::version).orElse(null));
        }

        WriteOutcome outcome = writes.upsert(new WriteRequest(id, value.json(), value.storedBytes(), lifetime, tags, rev, precondition));
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

    @Access(value = Scope.READ, namespace = "{namespace}")
    @GET
    @Path("{key}")
    // a virtual thread per read: ~10% less CPU per GET and a lower p99 than the worker pool
    // under 32 connections on 2 cores (docs/benchmarks.md, "Thread model"); writes were even
    @RunOnVirtualThread
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiExamples.TAG_ENTRIES, description = ApiExamples.TAG_ENTRIES_TEXT)
    @Operation(operationId = "getEntry", summary = "Read a value",
            description = "Answers the stored JSON as PostgreSQL prints it, with HTTP caching headers; the value is never parsed on the way "
                    + "out. A fresh entry is X-Cache: HIT, an expired one inside its stale window X-Cache: STALE; a gone or absent one is a "
                    + "404 cache-miss. HEAD answers with the same status and headers and no body (304 included). Reads never write.")
    @Parameter(name = "namespace", in = ParameterIn.PATH, description = ApiExamples.NAMESPACE, example = "demo")
    @Parameter(name = "key", in = ParameterIn.PATH, description = ApiExamples.KEY, example = "block:19000000")
    @Parameter(name = "min-revision", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.INTEGER, format = "int64", minimum = "0"),
            example = "19000000", description = "Treat an entry with a lower (or no) revision as a miss: 404 cache-miss, X-Cache: MISS.")
    @Parameter(name = HttpHeaders.IF_NONE_MATCH, in = ParameterIn.HEADER, description = ApiExamples.IF_NONE_MATCH_GET, example = "\"1\"")
    @Parameter(name = HttpHeaders.CACHE_CONTROL, in = ParameterIn.HEADER, schema = @Schema(type = SchemaType.STRING),
            description = "Read-through namespaces only (RFC 9111 request directives): no-cache reloads from the upstream, "
                    + "only-if-cached never calls it (504 not-cached on a miss), max-age, min-fresh and max-stale[=N] bound the "
                    + "age of what may be served. Ignored on namespaces without an upstream.",
            example = "max-stale=60")
    @APIResponse(responseCode = "200", description = "The value (fresh or stale)",
            headers = {
                    @Header(name = "ETag", description = ApiExamples.ETAG, schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Cache-Control", description = ApiExamples.CACHE_CONTROL,
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Age", description = ApiExamples.AGE, schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = CacheStatus.HEADER, description = ApiExamples.X_CACHE,
                            schema = @Schema(type = SchemaType.STRING, enumeration = { "HIT", "STALE", "MISS" })),
                    @Header(name = CachingHeaders.X_REVISION, description = ApiExamples.X_REVISION_OUT,
                            schema = @Schema(type = SchemaType.INTEGER, format = "int64")) },
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(description = "the stored JSON value, any JSON type"),
                    examples = @ExampleObject(name = "block", value = ApiExamples.VALUE_AS_STORED)))
    @APIResponse(responseCode = "304", description = "Not modified: If-None-Match names the live entry's version (or is *); "
            + "the same caching headers, no body",
            headers = {
                    @Header(name = "ETag", description = ApiExamples.ETAG, schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Cache-Control", description = ApiExamples.CACHE_CONTROL,
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Age", description = ApiExamples.AGE, schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = CacheStatus.HEADER, description = ApiExamples.X_CACHE,
                            schema = @Schema(type = SchemaType.STRING, enumeration = { "HIT", "STALE", "MISS" })),
                    @Header(name = CachingHeaders.X_REVISION, description = ApiExamples.X_REVISION_OUT,
                            schema = @Schema(type = SchemaType.INTEGER, format = "int64")) })
    @APIResponse(responseCode = "400", description = "Bad namespace, key, min-revision or If-None-Match",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "invalid-namespace", value = ApiExamples.INVALID_NAMESPACE),
                    @ExampleObject(name = "invalid-key", value = ApiExamples.INVALID_KEY),
                    @ExampleObject(name = "invalid-revision", value = ApiExamples.INVALID_REVISION),
                    @ExampleObject(name = "invalid-precondition", value = ApiExamples.INVALID_PRECONDITION) }))
    @APIResponse(responseCode = "404", description = "cache-miss: no live entry (or none with min-revision), with X-Cache: MISS; "
            + "or unknown-namespace",
            headers = @Header(name = CacheStatus.HEADER, description = ApiExamples.X_CACHE,
                    schema = @Schema(type = SchemaType.STRING, enumeration = { "HIT", "STALE", "MISS" })),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "cache-miss", value = ApiExamples.CACHE_MISS),
                    @ExampleObject(name = "unknown-namespace", value = ApiExamples.UNKNOWN_NAMESPACE) }))
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
            if (answer.xCache() != CacheStatus.MISS) {
                hits.record(id, answer.entry()); // served from the table, fresh or stale; a MISS was just written
            }
            Response.ResponseBuilder r = notMatching != null && notMatching.matchesWeakly(answer.entry().version())
                    ? Response.notModified()
                    : Response.ok(body(answer.entry()), MediaType.APPLICATION_JSON_TYPE);
            return CachingHeaders.apply(r, answer.entry(), answer.xCache()).build();
        }

        KeyReads.Found found = keyReads.read(id, notMatching, minRevision);
        Response.ResponseBuilder r = found.notModified()
                ? Response.notModified()
                : Response.ok(body(found.entry()), MediaType.APPLICATION_JSON_TYPE);
        found.headers().forEach(r::header);
        return r.build();
    }

    /**
     * The stored JSON as bytes: a byte[] entity goes to the connection in one write, where a String
     * takes the JSON writer's output-stream path (measured in docs/benchmarks.md).
     */
    private static byte[] body(Entry entry) {
        return entry.json().getBytes(StandardCharsets.UTF_8);
    }

    @Access(value = Scope.WRITE, namespace = "{namespace}")
    @DELETE
    @Path("{key}")
    @Tag(name = ApiExamples.TAG_ENTRIES, description = ApiExamples.TAG_ENTRIES_TEXT)
    @Operation(operationId = "deleteEntry", summary = "Remove one entry",
            description = "Deletes the live entry, in one statement; with If-Match only when its version matches. A gone row under the key "
                    + "is deleted too but does not count as found.")
    @Parameter(name = "namespace", in = ParameterIn.PATH, description = ApiExamples.NAMESPACE, example = "demo")
    @Parameter(name = "key", in = ParameterIn.PATH, description = ApiExamples.KEY, example = "block:19000000")
    @Parameter(name = HttpHeaders.IF_MATCH, in = ParameterIn.HEADER, description = ApiExamples.IF_MATCH_DELETE, example = "\"13\"")
    @APIResponse(responseCode = "204", description = "Deleted a live entry")
    @APIResponse(responseCode = "400", description = "Bad namespace, key or If-Match",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "invalid-namespace", value = ApiExamples.INVALID_NAMESPACE),
                    @ExampleObject(name = "invalid-key", value = ApiExamples.INVALID_KEY),
                    @ExampleObject(name = "invalid-precondition", value = ApiExamples.INVALID_PRECONDITION) }))
    @APIResponse(responseCode = "404", description = "not-found: no live entry under the key (without If-Match); or unknown-namespace",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "not-found", value = ApiExamples.NOT_FOUND),
                    @ExampleObject(name = "unknown-namespace", value = ApiExamples.UNKNOWN_NAMESPACE) }))
    @APIResponse(responseCode = "412", description = "precondition-failed: If-Match did not hold (no live entry, or another version); "
            + "nothing deleted. ETag carries the live entry's version when there is one.",
            headers = @Header(name = "ETag", description = ApiExamples.ETAG_412, schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "precondition-failed", value = ApiExamples.PRECONDITION_FAILED)))
    public Response delete(@Encoded @PathParam("namespace") String rawNamespace, @Encoded @PathParam("key") String rawKey,
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch) {
        EntryId id = id(rawNamespace, rawKey);
        policies.policyFor(id.namespace());
        EntityTags matching = EntityTags.parse(ifMatch, "If-Match");
        boolean deleted;
        if (matching == null || matching.any()) {
            deleted = invalidations.invalidate(id);
            if (!deleted && matching != null) {
                throw preconditionFailed(id, null);
            }
        } else {
            deleted = !matching.strongVersions().isEmpty() && invalidations.invalidateIfMatch(id, matching.strongVersions());
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
    @Access(value = Scope.WRITE, namespace = "{namespace}")
    @POST
    @Path("{key}/touch")
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiExamples.TAG_ENTRIES, description = ApiExamples.TAG_ENTRIES_TEXT)
    @Operation(operationId = "touchEntry", summary = "Extend an entry's life",
            description = "Gives a live (fresh or stale) entry a new lifetime from now, without rewriting its value: version (ETag), "
                    + "revision, tags and fetched time stay. Not counted as a write.")
    @Parameter(name = "namespace", in = ParameterIn.PATH, description = ApiExamples.NAMESPACE, example = "demo")
    @Parameter(name = "key", in = ParameterIn.PATH, description = ApiExamples.KEY, example = "block:19000000")
    @Parameter(name = "ttl", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING), example = "2h",
            description = "The new time to live from now. " + ApiExamples.TTL + " Default: the namespace's.")
    @Parameter(name = "stale", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING), example = "5m",
            description = "The new stale window after it. Default: the namespace's.")
    @APIResponse(responseCode = "200", description = "The new lifetime; the version is unchanged",
            headers = @Header(name = "ETag", description = ApiExamples.ETAG, schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.WriteAnswer.class),
                    examples = @ExampleObject(name = "touched", value = ApiExamples.TOUCHED)))
    @APIResponse(responseCode = "400", description = "Bad namespace, key, ttl or stale",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "invalid-namespace", value = ApiExamples.INVALID_NAMESPACE),
                    @ExampleObject(name = "invalid-key", value = ApiExamples.INVALID_KEY),
                    @ExampleObject(name = "invalid-ttl", value = ApiExamples.INVALID_TTL),
                    @ExampleObject(name = "invalid-stale", value = ApiExamples.INVALID_STALE) }))
    @APIResponse(responseCode = "404", description = "not-found: no live entry to touch; or unknown-namespace",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "not-found", value = ApiExamples.NOT_FOUND),
                    @ExampleObject(name = "unknown-namespace", value = ApiExamples.UNKNOWN_NAMESPACE) }))
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
    @Access(value = Scope.READ, namespace = "{namespace}")
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiExamples.TAG_NAMESPACE, description = ApiExamples.TAG_NAMESPACE_TEXT)
    @Operation(operationId = "listKeys", summary = "List keys with their metadata",
            description = "Live keys (fresh and stale) in key order (byte-wise), without values, a page at a time. Keyset paging: "
                    + "a page starts after the last key of the previous one, so entries written or deleted meanwhile never make a "
                    + "page repeat or skip the others.")
    @Parameter(name = "namespace", in = ParameterIn.PATH, description = ApiExamples.NAMESPACE, example = "demo")
    @Parameter(name = "prefix", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING), example = "block:",
            description = "Only keys starting with this text (not empty).")
    @Parameter(name = "limit", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.INTEGER, minimum = "1", defaultValue = "100"),
            example = "100", description = "Keys per page, 1 to pgcache.limits.max-list-limit (default 1000); default 100.")
    @Parameter(name = "after", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING), example = "YmxvY2s6MTkwMDAwMDA",
            description = "The next cursor of the previous page (the last key, base64url).")
    @APIResponse(responseCode = "200", description = "One page; next is null on the last",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.KeyPage.class),
                    examples = @ExampleObject(name = "page", value = ApiExamples.LIST_PAGE)))
    @APIResponse(responseCode = "400", description = "Bad namespace, prefix, limit or cursor",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "invalid-namespace", value = ApiExamples.INVALID_NAMESPACE),
                    @ExampleObject(name = "invalid-prefix", value = ApiExamples.INVALID_PREFIX),
                    @ExampleObject(name = "invalid-limit", value = ApiExamples.INVALID_LIMIT),
                    @ExampleObject(name = "invalid-cursor", value = ApiExamples.INVALID_CURSOR) }))
    @APIResponse(responseCode = "404", description = ApiExamples.R_UNKNOWN_NAMESPACE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unknown-namespace", value = ApiExamples.UNKNOWN_NAMESPACE)))
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

    @Access(value = Scope.WRITE, namespace = "{namespace}")
    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiExamples.TAG_NAMESPACE, description = ApiExamples.TAG_NAMESPACE_TEXT)
    @Operation(operationId = "invalidate", summary = "Invalidate by prefix, by tag, or the whole namespace",
            description = "Deletes in batches of 5,000 rows, each its own short statement: not atomic, and rows a concurrent write holds "
                    + "locked are skipped. Give prefix or tag, not both; neither removes every entry of the namespace.")
    @Parameter(name = "namespace", in = ParameterIn.PATH, description = ApiExamples.NAMESPACE, example = "demo")
    @Parameter(name = "prefix", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING), example = "block:",
            description = "Invalidate only keys starting with this text (not empty).")
    @Parameter(name = "tag", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING), example = "chain:1",
            description = "Invalidate only entries carrying this tag.")
    @APIResponse(responseCode = "200", description = "How many live entries were removed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.Invalidated.class),
                    examples = @ExampleObject(name = "invalidated", value = ApiExamples.INVALIDATED)))
    @APIResponse(responseCode = "400", description = "Bad namespace, prefix or tag, or both given",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "invalid-namespace", value = ApiExamples.INVALID_NAMESPACE),
                    @ExampleObject(name = "invalid-prefix", value = ApiExamples.INVALID_PREFIX),
                    @ExampleObject(name = "invalid-tag", value = ApiExamples.INVALID_TAG),
                    @ExampleObject(name = "invalid-invalidation", value = ApiExamples.INVALID_INVALIDATION) }))
    @APIResponse(responseCode = "404", description = ApiExamples.R_UNKNOWN_NAMESPACE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unknown-namespace", value = ApiExamples.UNKNOWN_NAMESPACE)))
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
            n = invalidations.invalidatePrefix(namespace, keyRules.checkPrefix(prefix));
        } else if (tag != null) {
            n = invalidations.invalidateTag(namespace, keyRules.checkTag(tag));
        } else {
            n = invalidations.invalidateNamespace(namespace);
        }
        metrics.count(namespace, Event.INVALIDATION, n);
        return Map.of("invalidated", n);
    }

    /** Many keys in one round trip to the database; each answered with its value and state, or as a miss. */
    @Access(value = Scope.READ, namespace = "{namespace}")
    @POST
    @Path("batch-get")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiExamples.TAG_NAMESPACE, description = ApiExamples.TAG_NAMESPACE_TEXT)
    @Operation(operationId = "batchGet", summary = "Read many keys at once",
            description = "One statement, one round trip to the database (two when the answer is over 64 KiB: its size is read first, "
                    + "from size_bytes). Each key is answered in the order asked with its value, state, version, revision and age, or as a "
                    + "miss. Each key at most once; the answer at most pgcache.limits.max-answer-size.")
    @Parameter(name = "namespace", in = ParameterIn.PATH, description = ApiExamples.NAMESPACE, example = "demo")
    @RequestBody(required = true, description = "The keys, at most pgcache.limits.max-batch-size (1000)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.BatchGetRequest.class),
                    examples = @ExampleObject(name = "keys", value = ApiExamples.BATCH_GET_REQUEST)))
    @APIResponse(responseCode = "200", description = "One item per key",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.BatchGetAnswer.class),
                    examples = @ExampleObject(name = "entries", value = ApiExamples.BATCH_GET_ANSWER)))
    @APIResponse(responseCode = "400", description = "The body is not {\"keys\": [strings]}, a key is invalid, or a key is asked twice",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "invalid-batch", value = ApiExamples.INVALID_BATCH),
                    @ExampleObject(name = "invalid-key", value = ApiExamples.INVALID_KEY),
                    @ExampleObject(name = "invalid-namespace", value = ApiExamples.INVALID_NAMESPACE),
                    @ExampleObject(name = "invalid-json", value = ApiExamples.INVALID_JSON),
                    @ExampleObject(name = "json-too-complex", value = ApiExamples.JSON_TOO_COMPLEX) }))
    @APIResponse(responseCode = "404", description = ApiExamples.R_UNKNOWN_NAMESPACE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unknown-namespace", value = ApiExamples.UNKNOWN_NAMESPACE)))
    @APIResponse(responseCode = "413", description = "payload-too-large: more than pgcache.limits.max-batch-size keys, or a declared "
            + "Content-Length over the 16 MiB transport cap; answer-too-large: the stored values (by their size_bytes) and the "
            + "fields around them would make an answer over pgcache.limits.max-answer-size; no value was read",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "payload-too-large", value = ApiExamples.BATCH_TOO_LARGE),
                    @ExampleObject(name = "answer-too-large", value = ApiExamples.BATCH_GET_ANSWER_TOO_LARGE) }))
    @APIResponse(responseCode = "415", description = ApiExamples.R_UNSUPPORTED_MEDIA_TYPE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unsupported-media-type", value = ApiExamples.UNSUPPORTED_MEDIA_TYPE)))
    @APIResponse(responseCode = "503", description = ApiExamples.R_DATABASE_UNAVAILABLE + "; " + ApiExamples.R_SERVER_BUSY_ANSWER,
            headers = @Header(name = "Retry-After", description = ApiExamples.RETRY_AFTER, schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "database-unavailable", value = ApiExamples.DATABASE_UNAVAILABLE),
                    @ExampleObject(name = "server-busy", value = ApiExamples.SERVER_BUSY_ANSWER) }))
    public Response batchGet(@Encoded @PathParam("namespace") String rawNamespace,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @Context RoutingContext ctx, byte[] body) {
        String namespace = namespace(rawNamespace);
        requireJson(contentType);
        List<String> keys = batchBodies.keys(body);
        Map<String, Integer> asked = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            checkBatchKey(keys.get(i), "keys[" + i + "]");
            Integer earlier = asked.putIfAbsent(keys.get(i), i);
            if (earlier != null) {
                // answering a key twice would copy its value twice: one request could multiply a 1 MiB value by the batch size
                throw ProblemException.badRequest("invalid-batch", "keys[" + i + "] '" + KeyRules.printable(keys.get(i))
                        + "' was already asked as keys[" + earlier + "]; ask for each key once");
            }
        }
        List<Optional<Entry>> entries = List.of();
        if (!keys.isEmpty()) {
            BoundedReads.Found found = boundedReads.read(namespace, keys, null, BatchAnswers.envelopeBytes(keys), answerLimit,
                    "the values of these " + keys.size() + " keys");
            AnswerLeases.releaseAtEnd(ctx, found.lease());
            entries = found.entries();
        }
        for (int i = 0; i < entries.size(); i++) {
            Optional<Entry> e = entries.get(i);
            metrics.count(namespace, e.isEmpty() ? Event.MISS : e.get().freshness() == Freshness.FRESH ? Event.HIT : Event.STALE_HIT);
            if (e.isPresent()) {
                hits.record(new EntryId(namespace, keys.get(i)), e.get()); // a batch read is a read of each entry
            }
        }
        return Response.ok(BatchAnswers.entries(keys, entries), MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** Many writes in one statement; each entry is created, replaced, or refused with its reason. */
    @Access(value = Scope.WRITE, namespace = "{namespace}")
    @POST
    @Path("batch-put")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiExamples.TAG_NAMESPACE, description = ApiExamples.TAG_NAMESPACE_TEXT)
    @Operation(operationId = "batchPut", summary = "Write many entries at once",
            description = "One INSERT … ON CONFLICT statement for the whole batch, not a loop of single writes. Each entry is created, "
                    + "replaced, or refused because the stored live entry holds a higher revision; the others are written. The body is "
                    + "checked whole first: any invalid entry refuses the whole batch with a 400 and nothing is written; so does a value "
                    + "PostgreSQL cannot store. No preconditions (If-Match) in batches.")
    @Parameter(name = "namespace", in = ParameterIn.PATH, description = ApiExamples.NAMESPACE, example = "demo")
    @RequestBody(required = true, description = "The entries, at most pgcache.limits.max-batch-size (1000), each key once",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.BatchPutRequest.class),
                    examples = @ExampleObject(name = "entries", value = ApiExamples.BATCH_PUT_REQUEST)))
    @APIResponse(responseCode = "200", description = "One result per entry, in the order sent",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.BatchPutAnswer.class),
                    examples = @ExampleObject(name = "results", value = ApiExamples.BATCH_PUT_ANSWER)))
    @APIResponse(responseCode = "400", description = "The body is not of the documented shape, repeats a key, or an entry has a bad "
            + "key, ttl, stale, tag, revision or value; nothing written",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "invalid-batch", value = ApiExamples.INVALID_BATCH),
                    @ExampleObject(name = "invalid-key", value = ApiExamples.INVALID_KEY),
                    @ExampleObject(name = "invalid-namespace", value = ApiExamples.INVALID_NAMESPACE),
                    @ExampleObject(name = "invalid-ttl", value = ApiExamples.INVALID_TTL),
                    @ExampleObject(name = "invalid-stale", value = ApiExamples.INVALID_STALE),
                    @ExampleObject(name = "invalid-tag", value = ApiExamples.INVALID_TAG),
                    @ExampleObject(name = "invalid-revision", value = ApiExamples.INVALID_REVISION),
                    @ExampleObject(name = "invalid-json", value = ApiExamples.INVALID_JSON),
                    @ExampleObject(name = "unsupported-json", value = ApiExamples.UNSUPPORTED_JSON),
                    @ExampleObject(name = "unsupported-json-number", value = ApiExamples.UNSUPPORTED_NUMBER),
                    @ExampleObject(name = "json-too-complex", value = ApiExamples.JSON_TOO_COMPLEX),
                    @ExampleObject(name = "invalid-value", value = ApiExamples.INVALID_VALUE) }))
    @APIResponse(responseCode = "404", description = ApiExamples.R_UNKNOWN_NAMESPACE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unknown-namespace", value = ApiExamples.UNKNOWN_NAMESPACE)))
    @APIResponse(responseCode = "413", description = "payload-too-large: more than pgcache.limits.max-batch-size entries, a value over "
            + "pgcache.limits.max-value-size (as sent, or with its numbers written out in full as PostgreSQL stores them), or a declared "
            + "Content-Length over the 16 MiB transport cap; nothing written",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "batch-too-large", value = ApiExamples.BATCH_TOO_LARGE),
                    @ExampleObject(name = "value-too-large", value = ApiExamples.VALUE_TOO_LARGE) }))
    @APIResponse(responseCode = "415", description = ApiExamples.R_UNSUPPORTED_MEDIA_TYPE,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unsupported-media-type", value = ApiExamples.UNSUPPORTED_MEDIA_TYPE)))
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
            } catch (ProblemException e) {
                throw ProblemException.badRequest(e.slug(), where + ": " + e.getMessage());
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
            m.put("reason", "revision " + sent + " is lower than the stored revision"
                    + (r.storedRevision() == null ? "" : " " + r.storedRevision()));
            m.put("storedRevision", r.storedRevision());
        }
        return m;
    }

    private void checkBatchKey(String key, String where) {
        try {
            keyRules.checkKey(key);
        } catch (ProblemException e) {
            throw ProblemException.badRequest(e.slug(), where + ": " + e.getMessage());
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

    private static ProblemException revisionConflict(EntryId id, Long sent, Long stored) {
        String storedText = stored == null ? "a higher revision (a concurrent write changed it again)" : "revision " + stored;
        return new ProblemException(Problem.of(409, "revision-conflict", "Conflict",
                "the stored entry for key '" + id.key() + "' has " + storedText + ", higher than this write's revision " + sent
                        + "; nothing was written"),
                stored == null ? Map.of() : Map.of(CachingHeaders.X_REVISION, Long.toString(stored)));
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
        } catch (IllegalArgumentException | ProblemException e) {
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
