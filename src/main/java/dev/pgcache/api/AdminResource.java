package dev.pgcache.api;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.pgcache.security.Access;
import dev.pgcache.security.Scope;
import dev.pgcache.purge.PurgeJob;
import dev.pgcache.purge.PurgeReport;

/** Operations for operators. */
public class AdminResource implements AdminApi {

    private final PurgeJob purgeJob;

    AdminResource(PurgeJob purgeJob) {
        this.purgeJob = purgeJob;
    }

    @Override
    @Access(Scope.ADMIN)
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
