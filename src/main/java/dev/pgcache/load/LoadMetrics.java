package dev.pgcache.load;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.smallrye.faulttolerance.api.CircuitBreakerState;

import dev.pgcache.config.EnumText;
import dev.pgcache.metrics.TaggedCounter;
import dev.pgcache.metrics.TaggedGauge;

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
            return EnumText.of(this);
        }
    }

    private final MeterRegistry registry;

    private final TaggedCounter errors;
    private final TaggedCounter loads;
    private final TaggedCounter coalesced;
    private final TaggedCounter refreshSkipped;
    private final TaggedCounter lockWaits;
    private final TaggedGauge circuits;

    LoadMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.errors = TaggedCounter.of(registry, "pgcache.upstream.errors", "Loads that failed, by kind of failure", "namespace", "kind");
        this.loads = TaggedCounter.of(registry, "pgcache.loads", "Loads run by this replica, by trigger and result",
                "namespace", "trigger", "result");
        this.coalesced = TaggedCounter.of(registry, "pgcache.load.coalesced", "GETs that waited for a load already in flight in this replica",
                "namespace");
        this.refreshSkipped = TaggedCounter.of(registry, "pgcache.load.refresh.skipped", "Stale hits that found their refresh already in flight",
                "namespace");
        this.lockWaits = TaggedCounter.of(registry, "pgcache.load.lock.waits", "Loads that waited for another replica's load of the same key",
                "namespace");
        this.circuits = TaggedGauge.of(registry, "pgcache.upstream.circuit.state",
                "Circuit breaker of the namespace's upstream: 0 closed, 1 half-open, 2 open", "namespace");
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
        errors.increment(namespace, kind);
    }

    /** A load that ran, by trigger and result: loaded, not_found, reused (another replica had loaded it), failed. */
    void load(String namespace, Trigger trigger, String result) {
        loads.increment(namespace, trigger.tag(), result);
    }

    /** A GET that joined a load already in flight in this replica instead of starting one. */
    void coalesced(String namespace) {
        coalesced.increment(namespace);
    }

    /** A stale hit whose refresh was already in flight. */
    void refreshSkipped(String namespace) {
        refreshSkipped.increment(namespace);
    }

    /** A load that found the key's advisory lock held, by another replica loading it, and waited. */
    void lockBusy(String namespace) {
        lockWaits.increment(namespace);
    }

    /** The circuit state gauge of an upstream: 0 closed, 1 half-open, 2 open. */
    void circuit(String namespace, CircuitBreakerState state) {
        circuits.set(namespace, switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        });
    }
}
