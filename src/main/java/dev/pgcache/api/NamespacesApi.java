package dev.pgcache.api;

import jakarta.ws.rs.GET;
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
 * The HTTP contract of {@code /v1/namespaces} and {@code /v1/stats}, with their OpenAPI
 * documentation; {@link NamespacesResource} handles the requests.
 */
@Path("/v1")
@SecurityRequirement(name = ApiExamples.SECURITY_SCHEME)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiExamples.TAG_SERVICE, description = ApiExamples.TAG_SERVICE_TEXT)
public interface NamespacesApi {

    /** Every namespace with rows or declared in config: entry counts by state, bytes, and its policy. Counts scan the table. */
    @GET
    @Path("namespaces")
    @Operation(operationId = "listNamespaces", summary = "Namespaces with entry counts and policy",
            description = "Every namespace that has rows or is declared in config, by name: entries by state (fresh, stale, gone), the "
                    + "bytes of their values, and the lifetime its writes get by default. The counts scan the table: for operators, "
                    + "not for hot paths.")
    @APIResponse(responseCode = "200", description = "The namespaces",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Answers.NamespaceList.class),
                    examples = @ExampleObject(name = "namespaces", value = ApiExamples.NAMESPACES)))
    Answers.NamespaceList namespaces();

    /** Per namespace since this replica started: hits, misses, stale hits, writes, invalidations, purged, evicted, hit ratio. */
    @GET
    @Path("stats")
    @Operation(operationId = "stats", summary = "Per-namespace counters of this replica",
            description = "Since this replica started counting: hits, stale hits, misses, writes, invalidations, rows purged and hit "
                    + "ratio, per namespace. The same counters as the pgcache_*_total metrics at /q/metrics; each replica counts its own. "
                    + "Does not touch the database.")
    @APIResponse(responseCode = "200", description = "The counters",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Answers.Stats.class),
                    examples = @ExampleObject(name = "stats", value = ApiExamples.STATS)))
    Answers.Stats stats();
}
