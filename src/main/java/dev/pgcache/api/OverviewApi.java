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
 * The HTTP contract of what the console (and any operator's tool) asks besides entries and
 * counters: the last minutes of activity and the state of background work;
 * {@link OverviewResource} handles the requests. (A class of its own under /v1/admin rather than
 * methods of {@link AdminApi}: JAX-RS matches the class by path first, and these read, they do
 * not act.)
 */
@Path("/v1/admin")
@SecurityRequirement(name = ApiExamples.SECURITY_SCHEME)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = ApiExamples.TAG_ADMIN, description = ApiExamples.TAG_ADMIN_TEXT)
public interface OverviewApi {

    @GET
    @Path("activity")
    @Operation(operationId = "activity", summary = "This replica's last minutes: reads per second and request latency",
            description = "One sample every 5 seconds, the last 15 minutes, oldest first: hits, stale hits and misses per second over "
                    + "all namespaces, /v1 requests per second, and their p50 and p99 latency. Kept in memory by each replica; does not "
                    + "touch the database. The console's live chart.")
    @APIResponse(responseCode = "200", description = "The samples",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OverviewAnswers.Activity.class),
                    examples = @ExampleObject(name = "activity", value = OverviewExamples.ACTIVITY)))
    OverviewAnswers.Activity activity();

    @GET
    @Path("status")
    @Operation(operationId = "status", summary = "Purge runs, the purge lock's holder, and the JSON-RPC upstreams' chains",
            description = "This replica's last purge runs (rows purged and evicted, batches, whether the run finished), how long since "
                    + "it last completed one, which database session holds the purge lock now (pg_locks; no scan of the cache table), "
                    + "and for each JSON-RPC upstream the head and finalized block last seen and the re-orgs detected.")
    @APIResponse(responseCode = "200", description = "The status",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OverviewAnswers.Status.class),
                    examples = @ExampleObject(name = "status", value = OverviewExamples.STATUS)))
    OverviewAnswers.Status status();
}
