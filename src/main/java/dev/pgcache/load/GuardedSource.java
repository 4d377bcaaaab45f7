package dev.pgcache.load;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;

import dev.pgcache.config.CircuitBreakerConfig;
import dev.pgcache.config.EnumText;
import dev.pgcache.config.RetryConfig;
import dev.pgcache.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;

/**
 * A source behind retries with exponential backoff and a circuit breaker, both SmallRye Fault
 * Tolerance, configured per upstream from {@code pgcache.namespaces.<name>.upstream.retry.*} and
 * {@code .circuit-breaker.*}. Only failures that another try may fix are retried (timeouts,
 * broken connections, 500/502/503/504); only failures that say the upstream is unwell count
 * against the circuit (a 403 or a 404 does not). Every attempt is timed, and with tracing on is a
 * span {@code pgcache.upstream} with the namespace, the upstream's origin ({@code scheme://host:port},
 * never a path or query: they hold the key) and the outcome.
 */
public final class GuardedSource implements Source {

    private final String namespace;
    private final Source inner;
    private final LoadMetrics metrics;
    private final TypedGuard<Fetched> guard;
    private final Duration openDelay;
    private final Tracing tracing;

    static final AttributeKey<String> ORIGIN = AttributeKey.stringKey("pgcache.upstream.origin");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("pgcache.upstream.outcome");

    /**
     * @param retry       retry settings (the JSON-RPC proxy can declare the same config group for its upstreams)
     * @param cb          circuit breaker settings
     * @param maxDuration bound on all attempts together, the namespace's wait-timeout
     */
    public GuardedSource(String namespace, Source inner, RetryConfig retry, CircuitBreakerConfig cb,
            Duration maxDuration, LoadMetrics metrics, Tracing tracing) {
        this(namespace, inner, retry, cb, maxDuration, metrics, tracing, state -> {
        });
    }

    /**
     * @param onCircuit told every change of the circuit's state (the JSON-RPC proxy shows it per node)
     */
    public GuardedSource(String namespace, Source inner, RetryConfig retry, CircuitBreakerConfig cb,
            Duration maxDuration, LoadMetrics metrics, Tracing tracing, java.util.function.Consumer<CircuitBreakerState> onCircuit) {
        this.namespace = namespace;
        this.tracing = tracing;
        this.inner = inner;
        this.metrics = metrics;
        this.openDelay = cb.delay();
        TypedGuard.Builder<Fetched> b = TypedGuard.create(Fetched.class).withDescription("upstream of namespace " + namespace);
        if (retry.maxRetries() > 0) {
            long delay = retry.delay().toMillis();
            b = b.withRetry()
                    .maxRetries(retry.maxRetries())
                    .delay(delay, ChronoUnit.MILLIS)
                    // a little jitter so that replicas that failed together do not retry together
                    .jitter(delay / 4, ChronoUnit.MILLIS)
                    .maxDuration(maxDuration.toMillis(), ChronoUnit.MILLIS)
                    .whenException(t -> t instanceof UpstreamFailure f && f.retryable())
                    .withExponentialBackoff().factor(2).maxDelay(Math.max(delay, retry.maxDelay().toMillis()), ChronoUnit.MILLIS).done()
                    .done();
        }
        if (cb.enabled()) {
            metrics.circuit(namespace, CircuitBreakerState.CLOSED);
            b = b.withCircuitBreaker()
                    .requestVolumeThreshold(cb.requestVolumeThreshold())
                    .failureRatio(cb.failureRatio())
                    .delay(cb.delay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(cb.successThreshold())
                    .when(t -> t instanceof UpstreamFailure f && f.countsAgainstCircuit())
                    .onStateChange(state -> {
                        metrics.circuit(namespace, state);
                        onCircuit.accept(state);
                    })
                    .done();
        }
        this.guard = b.build();
    }

    @Override
    public Fetched fetch(Request request) {
        try {
            return guard.get(() -> timed(request));
        } catch (CircuitBreakerOpenException e) {
            throw new UpstreamFailure(UpstreamFailure.Kind.CIRCUIT_OPEN, "the upstream of namespace '" + namespace + "' ("
                    + inner.origin() + ") failed too often; its circuit breaker is open and it is not called for up to "
                    + openDelay.toMillis() + " ms", openDelay);
        }
    }

    /**
     * One attempt whose failure the circuit breaker counts and whose success it does not: a health
     * probe (a JSON-RPC node's head poll), cheap and answered by a node that fails the calls the
     * breaker guards, whose successes would keep such a node's circuit closed. Never retried; made
     * whatever the circuit's state (an open circuit ignores the failure).
     */
    public Fetched probe(Request request) {
        try {
            return timed(request);
        } catch (UpstreamFailure f) {
            if (f.countsAgainstCircuit()) {
                countFailure(f.notRetried());
            }
            throw f;
        }
    }

    /** Tells the breaker of a failure that happened outside it, the way it learns of any: a guarded call that fails with it. */
    private void countFailure(UpstreamFailure f) {
        try {
            guard.get(() -> {
                throw f;
            });
        } catch (UpstreamFailure | CircuitBreakerOpenException e) {
            // the failure itself, as expected; or the circuit was open and did not count it
        }
    }

    private Fetched timed(Request request) {
        long start = System.nanoTime();
        String outcome = "ok";
        Span span = tracing.on() ? tracing.start("pgcache.upstream", namespace) : null;
        try (var scope = span == null ? null : span.makeCurrent()) {
            Fetched f = inner.fetch(request);
            if (f instanceof Fetched.NotFound) {
                outcome = "not_found";
            }
            return f;
        } catch (UpstreamFailure e) {
            outcome = EnumText.of(e.kind());
            throw e;
        } finally {
            metrics.attempt(namespace, outcome, System.nanoTime() - start);
            if (span != null) {
                span.setAttribute(ORIGIN, inner.origin());
                span.setAttribute(OUTCOME, outcome);
                if (!outcome.equals("ok") && !outcome.equals("not_found")) {
                    span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, outcome);
                }
                span.end();
            }
        }
    }

    @Override
    public String origin() {
        return inner.origin();
    }
}
