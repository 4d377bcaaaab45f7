package dev.pgcache.metrics;

import java.util.Optional;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.prometheus.client.exemplars.ExemplarSampler;
import io.quarkus.micrometer.runtime.export.exemplars.NoopOpenTelemetryExemplarContextUnwrapper;
import io.quarkus.micrometer.runtime.export.exemplars.OpenTelemetryContextUnwrapper;

/**
 * Keeps the metrics as they were before traces: no exemplars. Once quarkus-opentelemetry is on
 * the class path, Quarkus' Micrometer extension gives the Prometheus registry an exemplar sampler
 * that looks up the current span on every counter increment and histogram observation, and
 * records each HTTP request's timer inside the request's OpenTelemetry context, whether traces
 * are switched on or not (there is no setting for it). These two alternatives put back what
 * Quarkus uses without OpenTelemetry, so with traces off (the default) recording a metric costs
 * what it did. The price: no exemplars (trace ids on histogram buckets, shown only in the
 * OpenMetrics format) when traces are on. TracingTest checks that none is exposed.
 */
public class NoExemplars {

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    Optional<ExemplarSampler> noExemplarSampler() {
        return Optional.empty();
    }

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    OpenTelemetryContextUnwrapper noContextUnwrapper() {
        return new NoopOpenTelemetryExemplarContextUnwrapper();
    }
}
