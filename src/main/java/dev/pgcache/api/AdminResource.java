package dev.pgcache.api;

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
    public Answers.PurgeReport purge() {
        PurgeReport report = purgeJob.runOnce();
        return new Answers.PurgeReport(report.purged(), report.durationMs(), report.batches(), report.complete(), report.lockHeld(),
                report.byNamespace(), report.evicted(), report.evictedByNamespace(), report.evictedForCap(), report.evictedForCapByNamespace(),
                report.secondChances());
    }
}
