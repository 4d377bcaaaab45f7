package dev.pgcache.api;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
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

import dev.pgcache.protocol.CacheStatus;
import dev.pgcache.protocol.Problem;

/**
 * The HTTP contract of the JSON-RPC proxy, {@code POST /v1/rpc/{upstream}}, with its OpenAPI
 * documentation; {@link RpcResource} handles the requests.
 */
@Path("/v1/rpc/{upstream}")
@SecurityRequirement(name = ApiExamples.SECURITY_SCHEME)
@Tag(name = RpcExamples.TAG, description = RpcExamples.TAG_TEXT)
public interface RpcApi {

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "rpcCall", summary = "Call a JSON-RPC node through the cache",
            description = RpcExamples.DESCRIPTION)
    @Parameter(name = "upstream", in = ParameterIn.PATH, description = RpcExamples.UPSTREAM, example = "eth",
            schema = @Schema(type = SchemaType.STRING))
    @RequestBody(required = true, description = "One JSON-RPC 2.0 request object, or a batch (an array of them). At most "
            + "pgcache.rpc.max-body-size (1 MiB) and pgcache.rpc.max-batch-size (100) requests.",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(description = "a JSON-RPC 2.0 request or batch"),
                    examples = {
                            @ExampleObject(name = "single", value = RpcExamples.SINGLE),
                            @ExampleObject(name = "batch", value = RpcExamples.BATCH),
                            @ExampleObject(name = "notification", value = RpcExamples.NOTIFICATION) }))
    @APIResponse(responseCode = "200", description = "The JSON-RPC answer: one response object, or an array with one per request "
            + "that has an id, in the order asked. Errors of the protocol (-32700, -32600), of the node (passed back as it "
            + "gave them, never cached), of the call to it (-32000) and a method the key may not send (-32040, nothing is sent) "
            + "are JSON-RPC errors here too.",
            headers = @Header(name = CacheStatus.HEADER, description = RpcExamples.X_CACHE_TEXT, schema = @Schema(type = SchemaType.STRING,
                    enumeration = { "HIT", "MISS", "BYPASS" })),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(description = "a JSON-RPC 2.0 response or batch response"),
                    examples = {
                            @ExampleObject(name = "single", value = RpcExamples.SINGLE_ANSWER),
                            @ExampleObject(name = "batch", value = RpcExamples.BATCH_ANSWER),
                            @ExampleObject(name = "parse-error", value = RpcExamples.PARSE_ERROR),
                            @ExampleObject(name = "invalid-request", value = RpcExamples.INVALID_REQUEST),
                            @ExampleObject(name = "node-error", value = RpcExamples.NODE_ERROR),
                            @ExampleObject(name = "upstream-failed", value = RpcExamples.UPSTREAM_FAILED),
                            @ExampleObject(name = "method-refused", value = RpcExamples.METHOD_REFUSED) }))
    @APIResponse(responseCode = "204", description = "The body held notifications only (requests without an id): they were "
            + "forwarded (or, when the key may not send their method, dropped), and JSON-RPC gives them no answer")
    @APIResponse(responseCode = "400", description = "bad-request: the HTTP request itself is malformed (e.g. a Content-Length "
            + "that is not a number). A body that is not valid JSON-RPC is never a 400: it gets a JSON-RPC error in a 200.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "bad-request", value = RpcExamples.BAD_REQUEST)))
    @APIResponse(responseCode = "404", description = "unknown-upstream: no pgcache.rpc.upstreams.<upstream> is configured",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "unknown-upstream", value = RpcExamples.UNKNOWN_UPSTREAM)))
    @APIResponse(responseCode = "413", description = "payload-too-large: the body is over pgcache.rpc.max-body-size; "
            + "rpc-batch-too-large: the batch holds more than pgcache.rpc.max-batch-size requests; in both, nothing was called. "
            + "answer-too-large: the answer, results from the cache and the node together (a result asked for twice counts twice), "
            + "would be over pgcache.rpc.max-answer-size; found out before the answer was built (cached results: before they were "
            + "read); results fetched from the node are still cached, so smaller batches of the same requests are answered from it.",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "rpc-batch-too-large", value = RpcExamples.BATCH_TOO_LARGE),
                    @ExampleObject(name = "payload-too-large", value = RpcExamples.BODY_TOO_LARGE),
                    @ExampleObject(name = "answer-too-large", value = RpcExamples.ANSWER_TOO_LARGE) }))
    @APIResponse(responseCode = "503", description = ApiExamples.R_SERVER_BUSY_ANSWER + " (a database outage is no error here: "
            + "the proxy passes calls through)",
            headers = @Header(name = "Retry-After", description = ApiExamples.RETRY_AFTER, schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "server-busy", value = RpcExamples.SERVER_BUSY) }))
    Response call(@PathParam("upstream") String upstream, @Context RoutingContext ctx, byte[] body);
}
