package dev.pgcache.api;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The readiness check {@code pgcache-head-guard}: DOWN until the HTTP server listens and
 * {@link HeadGuards} has put its guard on the listening channel, so that no balancer sends
 * connections that the guard would not see (the HTTP version check and the head's deadline).
 */
@Readiness
@ApplicationScoped
class HeadGuardReadiness implements HealthCheck {

    static final String NAME = "pgcache-head-guard";

    private final HeadGuards guards;

    HeadGuardReadiness(HeadGuards guards) {
        this.guards = guards;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named(NAME).status(guards.settled()).build();
    }
}
