package dev.pgcache.purge;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

/**
 * How this replica's purge runs went, for {@link PurgeHealthCheck}. A run "completes" when it
 * ends without an error: it purged (all or up to its budget), or it found another replica
 * holding the purge lock. The second counts because the lock is only ever held by a replica
 * that is purging right then: the cluster is purging, and this replica is fine.
 * Created at start, so a replica that never completes a run is reported from its start on.
 */
@Startup
@ApplicationScoped
public class PurgeStatus {

    private volatile Instant lastProgressAt = Instant.now();
    private volatile Instant lastCompletedAt;
    private volatile String lastOutcome = "no run yet";

    void completed(PurgeReport report) {
        Instant now = Instant.now();
        lastCompletedAt = now;
        lastProgressAt = now;
        lastOutcome = report.lockHeld()
                ? "purged " + report.purged() + ", evicted " + report.evicted() + (report.complete() ? "" : ", more left for the next run")
                : "skipped: another replica held the purge lock";
    }

    void failed(RuntimeException e) {
        lastOutcome = "failed: " + e.getMessage();
    }

    /** When the last run completed, or when the service started if none has. */
    Instant lastProgressAt() {
        return lastProgressAt;
    }

    /** Null until a run completes. */
    Instant lastCompletedAt() {
        return lastCompletedAt;
    }

    String lastOutcome() {
        return lastOutcome;
    }

    /** For tests: pretend the last completed run (or the start) was at this instant. */
    void pretendLastProgressAt(Instant at) {
        lastProgressAt = at;
    }
}
