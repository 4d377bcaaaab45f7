package dev.pgcache.api;

import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.pgcache.protocol.Problem;

/**
 * The HTTP contract of listing a namespace's keys, {@code GET /v1/cache/{namespace}}, with its
 * OpenAPI documentation; {@link ListingResource} handles the requests.
 * The answers any namespace operation can give (401, 403, 404 unknown-namespace, 415 for a body
 * that is not JSON, 406, 429, 500, 503) are added to the document by {@link CommonProblemsFilter}.
 */
@Path("/v1/cache/{namespace}")
@SecurityRequirement(name = ApiExamples.SECURITY_SCHEME)
@Tag(name = ApiExamples.TAG_NAMESPACE, description = ApiExamples.TAG_NAMESPACE_TEXT)
public interface ListingApi {

    /** Keys with their metadata (no values), in key order, a page at a time. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
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
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Answers.KeyPage.class),
                    examples = @ExampleObject(name = "page", value = ApiExamples.LIST_PAGE)))
    @APIResponse(responseCode = "400", description = "Bad namespace, prefix, limit or cursor",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "invalid-namespace", value = ApiExamples.INVALID_NAMESPACE),
                    @ExampleObject(name = "invalid-prefix", value = ApiExamples.INVALID_PREFIX),
                    @ExampleObject(name = "invalid-limit", value = ApiExamples.INVALID_LIMIT),
                    @ExampleObject(name = "invalid-cursor", value = ApiExamples.INVALID_CURSOR) }))
    Answers.KeyPage list(@Encoded @PathParam("namespace") String rawNamespace, @Context UriInfo uri);
}
