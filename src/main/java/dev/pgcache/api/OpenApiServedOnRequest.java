package dev.pgcache.api;

import org.eclipse.microprofile.openapi.OASFilter;

import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * Changes nothing in the document: it exists so that Quarkus serializes the OpenAPI document when
 * {@code /q/openapi} is asked for, instead of at every start.
 *
 * <p>The document is made at build time (with {@link CommonProblemsFilter}). Quarkus 3.34 still
 * reads it back at start and writes it out as JSON and as YAML before the service is ready, ~0.1 s
 * on 2 cores (docs/benchmarks.md, "Start-up"; quarkusio/quarkus#54826, fixed upstream by #55538).
 * With a filter of the RUNTIME_PER_REQUEST stage, Quarkus keeps the parsed document and
 * serializes it on each request instead (the first one pays what the start paid, as in 3.30);
 * the document is read by people and tools, not on any hot path. Remove this class once Quarkus
 * builds the document lazily itself.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_PER_REQUEST)
public class OpenApiServedOnRequest implements OASFilter {
}
