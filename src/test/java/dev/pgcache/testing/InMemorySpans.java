package dev.pgcache.testing;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

/**
 * The span exporter of the test runs: Quarkus exports to a SpanExporter bean when there is one
 * (its default exporter type, "cdi"), so the spans a request made can be read back
 * (TracingTest). With tracing off, as in every other test, nothing reaches it.
 */
@ApplicationScoped
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
