package dev.pgcache.api;

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
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
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

import dev.pgcache.protocol.CacheStatus;
import dev.pgcache.protocol.Problem;

/**
 * The HTTP contract of single entries, {@code /v1/cache/{namespace}/{key}}: routes, parameters and
 * their OpenAPI documentation. {@link EntryResource} handles the requests. Keys arrive
 * percent-encoded ({@code @Encoded}) and are decoded strictly by {@link CachePaths}.
 * The answers any namespace operation can give (401, 403, 404 unknown-namespace, 415 for a body
 * that is not JSON, 406, 429, 500, 503) are added to the document by {@link CommonProblemsFilter}.
 */
@Path("/v1/cache/{namespace}")
@SecurityScheme(securitySchemeName = ApiExamples.SECURITY_SCHEME, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = ApiExamples.SECURITY_SCHEME_TEXT)
@SecurityRequirement(name = ApiExamples.SECURITY_SCHEME)
@Tag(name = ApiExamples.TAG_ENTRIES, description = ApiExamples.TAG_ENTRIES_TEXT)
public interface EntryApi {

    @PUT
    @Path("{key}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
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
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Answers.WriteAnswer.class),
                    examples = @ExampleObject(name = "created", value = ApiExamples.PUT_CREATED)))
    @APIResponse(responseCode = "200", description = "Replaced a live entry",
            headers = {
                    @Header(name = "ETag", description = ApiExamples.ETAG, schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = CachingHeaders.X_REVISION, description = ApiExamples.X_REVISION_OUT,
                            schema = @Schema(type = SchemaType.INTEGER, format = "int64")) },
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Answers.WriteAnswer.class),
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
    Response put(@Encoded @PathParam("namespace") String rawNamespace, @Encoded @PathParam("key") String rawKey,
            @HeaderParam(CachingHeaders.X_REVISION) String revision, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch, @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch,
            @HeaderParam(HttpHeaders.CACHE_CONTROL) String cacheControl, @Context UriInfo uri, byte[] body);

    @GET
    @Path("{key}")
    @Produces(MediaType.APPLICATION_JSON)
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
            description = "no-cache reads the table, never this replica's copy in memory (and on a read-through namespace reloads "
                    + "from the upstream). Read-through namespaces also honour (RFC 9111 request directives) only-if-cached, which "
                    + "never calls the upstream (504 not-cached on a miss), and max-age, min-fresh and max-stale[=N], which bound the "
                    + "age of what may be served; those are ignored on namespaces without an upstream.",
            example = "max-stale=60")
    @APIResponse(responseCode = "200", description = "The value (fresh or stale)",
            headers = {
                    @Header(name = "ETag", description = ApiExamples.ETAG, schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Cache-Control", description = ApiExamples.CACHE_CONTROL,
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Age", description = ApiExamples.AGE, schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = CacheStatus.HEADER, description = ApiExamples.X_CACHE,
                            schema = @Schema(type = SchemaType.STRING, enumeration = { "HIT", "STALE", "MISS" })),
                    @Header(name = CacheStatus.RFC_HEADER, description = ApiExamples.CACHE_STATUS,
                            schema = @Schema(type = SchemaType.STRING, example = "pgcache; hit; ttl=299; detail=memory")),
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
                    @Header(name = CacheStatus.RFC_HEADER, description = ApiExamples.CACHE_STATUS,
                            schema = @Schema(type = SchemaType.STRING, example = "pgcache; hit; ttl=299; detail=memory")),
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
    Response get(@Encoded @PathParam("namespace") String rawNamespace, @Encoded @PathParam("key") String rawKey,
            @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch, @HeaderParam(HttpHeaders.CACHE_CONTROL) String cacheControl,
            @Context UriInfo uri);

    @DELETE
    @Path("{key}")
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
    Response delete(@Encoded @PathParam("namespace") String rawNamespace, @Encoded @PathParam("key") String rawKey,
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch);

    /** Gives a live entry a new lifetime from now without rewriting it; the version (ETag) stays. */
    @POST
    @Path("{key}/touch")
    @Produces(MediaType.APPLICATION_JSON)
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
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Answers.WriteAnswer.class),
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
    Response touch(@Encoded @PathParam("namespace") String rawNamespace, @Encoded @PathParam("key") String rawKey,
            @Context UriInfo uri);
}
