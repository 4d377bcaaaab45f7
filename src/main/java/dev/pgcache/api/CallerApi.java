package dev.pgcache.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.vertx.ext.web.RoutingContext;

/**
 * The HTTP contract of {@code GET /v1/me}: who the calling key is and what it may do, which the
 * console asks first; {@link CallerResource} handles the requests.
 */
@Path("/v1/me")
@SecurityRequirement(name = ApiExamples.SECURITY_SCHEME)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiExamples.TAG_SERVICE, description = ApiExamples.TAG_SERVICE_TEXT)
public interface CallerApi {

    @GET
    @Operation(operationId = "me", summary = "The calling key: name, scopes and declared namespaces",
            description = "What the key sent may do: its name (never its secret), its scopes, and each declared namespace its patterns "
                    + "reach, with what the key may do there and the namespace's settings (default TTL and stale window, near cache, "
                    + "bounds, read-through). The console asks this first, to offer only what the key may do. Any valid key may ask, whatever its scopes.")
    @APIResponse(responseCode = "200", description = "The key",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OverviewAnswers.Me.class),
                    examples = @ExampleObject(name = "me", value = OverviewExamples.ME)))
    OverviewAnswers.Me me(@Context RoutingContext ctx);

}
