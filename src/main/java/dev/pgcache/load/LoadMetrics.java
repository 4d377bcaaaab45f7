package dev.pgcache.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.smallrye.faulttolerance.api.CircuitBreakerState;

/**
 * Read-through metrics, all tagged by namespace. Only namespaces declared with an upstream (or
 * a proxy's upstreams) ever load, so the series stay bounded by configuration.
 */
@ApplicationScoped
public class LoadMetrics {

    /** Why a load ran: a GET waits for it, or a stale hit started it and nobody waits. */
    public enum Trigger {
        FOREGROUND, BACKGROUND;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> circuits = new ConcurrentHashMap<>();

    LoadMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One upstream attempt (a retry is another), by outcome: ok, not_found, or the failure kind. */
    void attempt(String namespace, String outcome, long nanos) {
        Timer.builder("pgcache.upstream.latency")
                .description("Duration of each upstream call (every attempt, retries included)")
                .tags("namespace", namespace, "outcome", outcome)
                .publishPercentileHistogram(false)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A load that ended without a value, by failure kind (timeout, unreachable, server_error, …, circuit_open, wait_timeout). */
    void error(String namespace, String kind) {
        Counter.builder("pgcache.upstream.errors").description("Loads that failed, by kind of failure")
                .tags("namespace", namespace, "kind", kind).register(registry).increment();
    }

    /** A load that ran, by trigger and result: loaded, not_found, reused (another replica had loaded it), failed. */
    void load(String namespace, Trigger trigger, String result) {
        Counter.builder("pgcache.loads").description("Loads run by this replica, by trigger and result")
                .tags("namespace", namespace, "trigger", trigger.tag(), "result", result).register(registry).increment();
    }

    /** A GET that joined a load already in flight in this replica instead of starting one. */
    void coalesced(String namespace) {
        Counter.builder("pgcache.load.coalesced").description("GETs that waited for a load already in flight in this replica")
                .tags("namespace", namespace).register(registry).increment();
    }

    /** A stale hit whose refresh was already in flight. */
    void refreshSkipped(String namespace) {
        Counter.builder("pgcache.load.refresh.skipped").description("Stale hits that found their refresh already in flight")
                .tags("namespace", namespace).register(registry).increment();
    }

    /** A load that found the key's advisory lock held, by another replica loading it, and waited. */
    void lockBusy(String namespace) {
        Counter.builder("pgcache.load.lock.waits").description("Loads that waited for another replica's load of the same key")
                .tags("namespace", namespace).register(registry).increment();
    }

    /** The circuit state gauge of an upstream: 0 closed, 1 half-open, 2 open. */
    void circuit(String namespace, CircuitBreakerState state) {
        circuits.computeIfAbsent(namespace, ns -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("pgcache.upstream.circuit.state", value, AtomicInteger::get)
                    .description("Circuit breaker of the namespace's upstream: 0 closed, 1 half-open, 2 open")
                    .tag("namespace", ns).register(registry);
            return value;
        }).set(switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        });
    }
}
