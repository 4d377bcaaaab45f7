package dev.pgcache.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.pgcache.purge.PurgeJob;
import dev.pgcache.purge.PurgeReport;

/** Operations for operators. */
@Path("/v1/admin")
public class AdminResource {

    private final PurgeJob purgeJob;

    AdminResource(PurgeJob purgeJob) {
        this.purgeJob = purgeJob;
    }

    /** Runs one purge now (gone rows, then eviction for bounded namespaces), bounded like a scheduled one. When another replica is purging, does nothing and says so. */
    @POST
    @Path("purge")
    @Produces(MediaType.APPLICATION_JSON)
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
