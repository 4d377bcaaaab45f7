package dev.pgcache.api;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The HTTP contract of the operators' endpoints under {@code /v1/admin}, with their OpenAPI
 * documentation; {@link AdminResource} handles the requests.
 */
@Path("/v1/admin")
@SecurityRequirement(name = ApiExamples.SECURITY_SCHEME)
@Tag(name = ApiExamples.TAG_ADMIN, description = ApiExamples.TAG_ADMIN_TEXT)
public interface AdminApi {

    /** Runs one purge now (gone rows, then eviction for bounded namespaces), bounded like a scheduled one. When another replica is purging, does nothing and says so. */
    @POST
    @Path("purge")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "purge", summary = "Run one purge now",
            description = "Deletes rows past their stale window, bounded exactly like a scheduled run (pgcache.purge.batch-size, "
                    + "time-budget, max-batches), in the request thread. Runs even where pgcache.purge.enabled=false. When another "
                    + "replica holds the purge lock it does nothing and answers lockHeld=false. No request body.")
    @APIResponse(responseCode = "200", description = "What the run did",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Answers.PurgeReport.class),
                    examples = @ExampleObject(name = "report", value = ApiExamples.PURGE)))
    Answers.PurgeReport purge();
}
