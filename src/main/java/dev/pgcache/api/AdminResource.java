package dev.pgcache.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.pgcache.security.Access;
import dev.pgcache.security.Scope;
import dev.pgcache.purge.PurgeJob;
import dev.pgcache.purge.PurgeReport;

/** Operations for operators. */
@Path("/v1/admin")
@SecurityRequirement(name = ApiExamples.SECURITY_SCHEME)
public class AdminResource {

    private final PurgeJob purgeJob;

    AdminResource(PurgeJob purgeJob) {
        this.purgeJob = purgeJob;
    }

    /** Runs one purge now (gone rows, then eviction for bounded namespaces), bounded like a scheduled one. When another replica is purging, does nothing and says so. */
    @Access(Scope.ADMIN)
    @POST
    @Path("purge")
    @Produces(MediaType.APPLICATION_JSON)
    @Tag(name = ApiExamples.TAG_ADMIN, description = ApiExamples.TAG_ADMIN_TEXT)
    @Operation(operationId = "purge", summary = "Run one purge now",
            description = "Deletes rows past their stale window, bounded exactly like a scheduled run (pgcache.purge.batch-size, "
                    + "time-budget, max-batches), in the request thread. Runs even where pgcache.purge.enabled=false. When another "
                    + "replica holds the purge lock it does nothing and answers lockHeld=false. No request body.")
    @APIResponse(responseCode = "200", description = "What the run did",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.PurgeReport.class),
                    examples = @ExampleObject(name = "report", value = ApiExamples.PURGE)))
    public Map<String, Object> purge() {
        PurgeReport report = purgeJob.runOnce();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("purged", report.purged());
        answer.put("durationMs", report.durationMs());
        answer.put("batches", report.batches());
        answer.put("complete", report.complete());
        answer.put("lockHeld", report.lockHeld());
        answer.put("byNamespace", report.byNamespace());
        answer.put("evicted", report.evicted());
        answer.put("evictedByNamespace", report.evictedByNamespace());
        return answer;
    }
}
