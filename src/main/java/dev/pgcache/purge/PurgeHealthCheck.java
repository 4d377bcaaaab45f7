package dev.pgcache.purge;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import dev.pgcache.config.PgcacheConfig;
import io.smallrye.health.api.Wellness;

/**
 * DOWN when this replica's purge has not completed a run for {@link #OVERDUE_INTERVALS} times
 * {@code pgcache.purge.interval} (see {@link PurgeStatus} for what completes a run). A wellness
 * check ({@code /q/health/well}), deliberately not readiness: a replica whose purge is stuck still
 * serves reads and writes correctly, so taking it out of the load balancer would only hurt
 * callers; an operator should be told instead.
 */
@Wellness
@ApplicationScoped
class PurgeHealthCheck implements HealthCheck {

    static final int OVERDUE_INTERVALS = 3;

    private final PurgeStatus status;
    private final boolean enabled;
    private final Duration overdueAfter;

    PurgeHealthCheck(PurgeStatus status, PgcacheConfig config) {
        this.status = status;
        this.enabled = config.purge().enabled();
        this.overdueAfter = config.purge().interval().multipliedBy(OVERDUE_INTERVALS);
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder r = HealthCheckResponse.named("pgcache-purge");
        if (!enabled) {
            return r.up().withData("enabled", false).build();
        }
        Instant since = status.lastProgressAt();
        boolean overdue = Duration.between(since, Instant.now()).compareTo(overdueAfter) > 0;
        r.status(!overdue)
                .withData("lastCompletedAt", status.lastCompletedAt() == null ? "never" : status.lastCompletedAt().toString())
                .withData("lastOutcome", status.lastOutcome())
                .withData("overdueAfter", overdueAfter.toString());
        if (overdue) {
            r.withData("problem", "no purge run completed since " + since + "; gone rows pile up (see cache_summary.gone)");
        }
        return r.build();
    }
}
