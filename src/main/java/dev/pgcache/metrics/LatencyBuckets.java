package dev.pgcache.metrics;

import java.time.Duration;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * Histogram buckets for the timers an operator asks "why was it slow" of, so that Prometheus can
 * compute percentiles across replicas ({@code histogram_quantile}, deploy/prometheus): the HTTP
 * requests by route ({@code http_server_requests_seconds_bucket}), the database's work
 * ({@code pgcache_database_seconds_bucket}) and the upstream calls
 * ({@code pgcache_upstream_latency_seconds_bucket}, {@code pgcache_rpc_upstream_latency_seconds_bucket},
 * {@code pgcache_rpc_node_latency_seconds_bucket}).
 * A fixed set of 16 boundaries from 0.5 ms to 60 s rather than Micrometer's default histogram
 * (about 70 buckets a series): enough to tell a near-cache hit from a table read from an upstream
 * call, at a fifth of the series.
 */
public class LatencyBuckets {

    static final Duration[] BOUNDARIES = {
        Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60) };

    static final java.util.Set<String> TIMERS = java.util.Set.of("http.server.requests", "pgcache.database",
            "pgcache.upstream.latency", "pgcache.rpc.upstream.latency", "pgcache.rpc.node.latency");

    @Produces
    @Singleton
    MeterFilter latencyBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!TIMERS.contains(id.getName())) {
                    return config;
                }
                double[] nanos = new double[BOUNDARIES.length];
                for (int i = 0; i < BOUNDARIES.length; i++) {
                    nanos[i] = BOUNDARIES[i].toNanos();
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
            }
        };
    }
}
