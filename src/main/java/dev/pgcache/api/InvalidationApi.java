package dev.pgcache.api;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Encoded;
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
 * The HTTP contract of invalidating many entries of a namespace at once (by prefix, by tag, or
 * all of them), {@code DELETE /v1/cache/{namespace}}, with its OpenAPI documentation;
 * {@link InvalidationResource} handles the requests.
 * The answers any namespace operation can give (401, 403, 404 unknown-namespace, 415 for a body
 * that is not JSON, 406, 429, 500, 503) are added to the document by {@link CommonProblemsFilter}.
 */
@Path("/v1/cache/{namespace}")
@SecurityRequirement(name = ApiExamples.SECURITY_SCHEME)
@Tag(name = ApiExamples.TAG_NAMESPACE, description = ApiExamples.TAG_NAMESPACE_TEXT)
public interface InvalidationApi {

    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "invalidate", summary = "Invalidate by prefix, by tag, or the whole namespace",
            description = "Deletes in batches of 5,000 rows, each its own short statement: not atomic, and rows a concurrent write holds "
                    + "locked are skipped. Give prefix or tag, not both; neither removes every entry of the namespace.")
    @Parameter(name = "namespace", in = ParameterIn.PATH, description = ApiExamples.NAMESPACE, example = "demo")
    @Parameter(name = "prefix", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING), example = "block:",
            description = "Invalidate only keys starting with this text (not empty).")
    @Parameter(name = "tag", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING), example = "chain:1",
            description = "Invalidate only entries carrying this tag.")
    @APIResponse(responseCode = "200", description = "How many live entries were removed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Answers.Invalidated.class),
                    examples = @ExampleObject(name = "invalidated", value = ApiExamples.INVALIDATED)))
    @APIResponse(responseCode = "400", description = "Bad namespace, prefix or tag, or both given",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "invalid-namespace", value = ApiExamples.INVALID_NAMESPACE),
                    @ExampleObject(name = "invalid-prefix", value = ApiExamples.INVALID_PREFIX),
                    @ExampleObject(name = "invalid-tag", value = ApiExamples.INVALID_TAG),
                    @ExampleObject(name = "invalid-invalidation", value = ApiExamples.INVALID_INVALIDATION) }))
    Answers.Invalidated invalidate(@Encoded @PathParam("namespace") String rawNamespace, @Context UriInfo uri);
}
