package dev.pgcache.purge;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

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
    private final Deque<Run> recent = new ArrayDeque<>(); // guarded by itself; newest first

    /** One completed run of this replica, for the console and /v1/admin/status. */
    public record Run(Instant at, PurgeReport report) {
    }

    /** How many completed runs {@link #recentRuns()} keeps. */
    public static final int RECENT_RUNS = 10;

    void completed(PurgeReport report) {
        Instant now = Instant.now();
        synchronized (recent) {
            recent.addFirst(new Run(now, report));
            while (recent.size() > RECENT_RUNS) {
                recent.removeLast();
            }
        }
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
    public Instant lastProgressAt() {
        return lastProgressAt;
    }

    /** This replica's last completed runs, newest first. */
    public List<Run> recentRuns() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    /** Null until a run completes. */
    public Instant lastCompletedAt() {
        return lastCompletedAt;
    }

    public String lastOutcome() {
        return lastOutcome;
    }

    /** For tests: pretend the last completed run (or the start) was at this instant. */
    void pretendLastProgressAt(Instant at) {
        lastProgressAt = at;
    }
}
