package dev.pgcache.api;

import java.util.Map;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.vertx.ext.web.RoutingContext;

import dev.pgcache.protocol.Problem;

/**
 * The HTTP contract of batch reads and writes in one namespace, {@code POST
 * /v1/cache/{namespace}/batch-get} and {@code batch-put}, with their OpenAPI documentation;
 * {@link BatchResource} handles the requests.
 * The answers any namespace operation can give (401, 403, 404 unknown-namespace, 415 for a body
 * that is not JSON, 406, 429, 500, 503) are added to the document by {@link CommonProblemsFilter}.
 */
@Path("/v1/cache/{namespace}")
@SecurityRequirement(name = ApiExamples.SECURITY_SCHEME)
@Tag(name = ApiExamples.TAG_NAMESPACE, description = ApiExamples.TAG_NAMESPACE_TEXT)
public interface BatchApi {

    /** Many keys in one round trip to the database; each answered with its value and state, or as a miss. */
    @POST
    @Path("batch-get")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
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
    @APIResponse(responseCode = "413", description = "payload-too-large: more than pgcache.limits.max-batch-size keys, or a declared "
            + "Content-Length over the 16 MiB transport cap; answer-too-large: the stored values (by their size_bytes) and the "
            + "fields around them would make an answer over pgcache.limits.max-answer-size; no value was read",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "payload-too-large", value = ApiExamples.BATCH_TOO_LARGE),
                    @ExampleObject(name = "answer-too-large", value = ApiExamples.BATCH_GET_ANSWER_TOO_LARGE) }))
    @APIResponse(responseCode = "503", description = ApiExamples.R_DATABASE_UNAVAILABLE + "; " + ApiExamples.R_SERVER_BUSY_ANSWER,
            headers = @Header(name = "Retry-After", description = ApiExamples.RETRY_AFTER, schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "database-unavailable", value = ApiExamples.DATABASE_UNAVAILABLE),
                    @ExampleObject(name = "server-busy", value = ApiExamples.SERVER_BUSY_ANSWER) }))
    Response batchGet(@Encoded @PathParam("namespace") String rawNamespace,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @Context RoutingContext ctx, byte[] body);

    /** Many writes in one statement; each entry is created, replaced, or refused with its reason. */
    @POST
    @Path("batch-put")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
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
    @APIResponse(responseCode = "413", description = "payload-too-large: more than pgcache.limits.max-batch-size entries, a value over "
            + "pgcache.limits.max-value-size (as sent, or with its numbers written out in full as PostgreSQL stores them), or a declared "
            + "Content-Length over the 16 MiB transport cap; nothing written",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "batch-too-large", value = ApiExamples.BATCH_TOO_LARGE),
                    @ExampleObject(name = "value-too-large", value = ApiExamples.VALUE_TOO_LARGE) }))
    Map<String, Object> batchPut(@Encoded @PathParam("namespace") String rawNamespace,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body);
}
