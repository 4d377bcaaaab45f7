package dev.pgcache.tracing;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * pgcache's own spans (docs/operations.md "Traces"): around each SQL statement, each upstream
 * call, a read-through load and the wait for it, and statements shared by concurrent requests.
 * Quarkus' extension makes the HTTP server span they hang under and exports them.
 *
 * <p>Off unless {@code quarkus.otel.sdk.disabled=false}. Every call site asks {@link #on()} (a
 * final field) first and does nothing else when it is false, so with tracing off the request
 * path runs the code it ran before traces existed, plus that one test: no span objects, no
 * context lookups, no wrapped tasks or statements.
 *
 * <p>What a span may carry: the namespace ({@link #NAMESPACE}), names of statements and
 * outcomes. Never a key (keys may be account numbers, addresses, e-mail addresses: whatever a
 * caller caches under), a value, a bound parameter, an upstream URL's path or query (they hold
 * the key), a header or an API key; {@link RedactedRequests} takes the key out of the HTTP
 * server span's path too.
 */
@Singleton
public class Tracing {

    /** The namespace a span's work was for: the one attribute every pgcache span has where it applies. */
    public static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("pgcache.namespace");

    private final boolean on;
    private final Tracer tracer;

    Tracing(OpenTelemetry openTelemetry, @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean sdkDisabled) {
        this.on = !sdkDisabled;
        this.tracer = openTelemetry.getTracer("dev.pgcache");
    }

    /** Whether traces are recorded; when false, make no span and touch no context. */
    public boolean on() {
        return on;
    }

    /** A span started now as a child of the current one; the caller ends it (only call when {@link #on()}). */
    public Span start(String name, String namespace) {
        Span span = tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL).startSpan();
        if (namespace != null) {
            span.setAttribute(NAMESPACE, namespace);
        }
        return span;
    }

    /** A span to be built as a child of the current one (only call when {@link #on()}). */
    public SpanBuilder spanBuilder(String name) {
        return tracer.spanBuilder(name).setSpanKind(SpanKind.INTERNAL);
    }

    /** Work that a span surrounds. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    /**
     * Runs work inside a span named {@code name} (current while it runs, so spans started inside
     * are its children), marking it failed with the exception's class when it throws. With tracing
     * off, just runs it.
     */
    public <T, E extends Exception> T inSpan(String name, String namespace, Work<T, E> work) throws E {
        if (!on) {
            return work.run();
        }
        Span span = start(name, namespace);
        try (Scope ignored = span.makeCurrent()) {
            return work.run();
        } catch (Exception | Error e) {
            failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** Work to run on another thread, as a child of the span current here; unchanged with tracing off. */
    public Runnable carry(Runnable work) {
        return on ? Context.current().wrap(work) : work;
    }

    /**
     * Marks a span failed, naming the exception's class only: messages may quote a key, a URL or a
     * value (a PostgreSQL error names the offending row's key).
     */
    public static void failed(Span span, Throwable e) {
        span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
    }
}
