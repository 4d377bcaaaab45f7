package dev.pgcache.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import jakarta.inject.Singleton;

import dev.pgcache.config.EnumText;
import dev.pgcache.entry.NamespacePolicies;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Per-namespace counters since start. Each is a LongAdder that both Micrometer (as
 * {@code pgcache_<name>_total{namespace=…}}) and the stats endpoint read, so the two never
 * disagree. A namespace's counters are registered on its first use.
 */
@io.quarkus.runtime.Startup
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
public class CacheMetrics {

    /** What is counted per namespace. */
    public enum Event {
        HIT("pgcache.hits", "Reads answered with a fresh value"),
        STALE_HIT("pgcache.stale.hits", "Reads answered with an expired value inside its stale window"),
        MISS("pgcache.misses", "Reads that found no live value"),
        WRITE("pgcache.writes", "Values written (created or replaced)"),
        INVALIDATION("pgcache.invalidations", "Live entries removed by DELETE or invalidation"),
        PURGED("pgcache.purged", "Rows removed by purge after their stale window"),
        EVICTED("pgcache.evicted", "Rows removed by purge because the namespace was over max-entries or max-bytes"),
        EVICTED_FOR_CAP("pgcache.evicted.cap", "Rows removed by purge because the whole table was over pgcache.storage.max-entries or max-bytes");

        final String meterName;
        final String description;

        Event(String meterName, String description) {
            this.meterName = meterName;
            this.description = description;
        }
    }

    private final MeterRegistry registry;
    private final Map<String, Map<Event, LongAdder>> byNamespace = new ConcurrentHashMap<>();
    private final Timer purgeDuration;
    private final java.time.Instant since = java.time.Instant.now();
    private final DistributionSummary purgedPerRun;
    private final DistributionSummary evictedPerRun;

    /** Where namespaces past {@code pgcache.metrics.max-namespaces} are counted; not a valid namespace name, so never a real one. */
    public static final String OTHER = "_other";

    private final int maxNamespaces;

    CacheMetrics(MeterRegistry registry, dev.pgcache.config.PgcacheConfig config, NamespacePolicies policies) {
        this.registry = registry;
        this.maxNamespaces = config.metrics().maxNamespaces();
        config.namespaces().keySet().forEach(this::countersOf); // declared namespaces always get their own series
        policies.declared().values().forEach(p -> Gauge.builder("pgcache.namespace.durability", () -> 1)
                .description("1 for the durability level of the namespace's writes (tag level: strict or relaxed)")
                .tag("namespace", p.namespace()).tag("level", EnumText.of(p.durability()))
                .register(registry));
        this.purgeDuration = Timer.builder("pgcache.purge.duration")
                .description("Duration of purge runs that held the purge lock")
                .register(registry);
        this.purgedPerRun = DistributionSummary.builder("pgcache.purge.run.purged")
                .description("Rows past their stale window removed by one purge run that held the purge lock")
                .baseUnit("rows")
                .register(registry);
        this.evictedPerRun = DistributionSummary.builder("pgcache.purge.run.evicted")
                .description("Rows evicted for namespace bounds or the table's cap by one purge run that held the purge lock")
                .baseUnit("rows")
                .register(registry);
    }

    public void count(String namespace, Event event) {
        count(namespace, event, 1);
    }

    public void count(String namespace, Event event, long n) {
        if (n > 0) {
            countersOf(namespace).get(event).add(n);
        }
    }

    /** One purge run that held the purge lock: how long it took and what it removed. */
    public void recordPurgeRun(long nanos, long purged, long evicted) {
        purgeDuration.record(nanos, TimeUnit.NANOSECONDS);
        purgedPerRun.record(purged);
        evictedPerRun.record(evicted);
    }

    /** Counts since start for one namespace (zero for a namespace not seen yet). */
    public long total(String namespace, Event event) {
        Map<Event, LongAdder> counters = byNamespace.get(namespace);
        return counters == null ? 0 : counters.get(event).sum();
    }

    /** Namespaces counted since start. */
    public java.util.Set<String> namespaces() {
        return java.util.Set.copyOf(byNamespace.keySet());
    }

    /** When counting started (this replica's start). */
    public java.time.Instant since() {
        return since;
    }

    private Map<Event, LongAdder> countersOf(String namespace) {
        Map<Event, LongAdder> counters = byNamespace.get(namespace);
        if (counters != null) {
            return counters;
        }
        // the cap is checked loosely (two threads may both pass it); it bounds growth, not an exact count
        String name = byNamespace.size() < maxNamespaces ? namespace : OTHER;
        return byNamespace.computeIfAbsent(name, this::register);
    }

    private Map<Event, LongAdder> register(String namespace) {
        Map<Event, LongAdder> counters = new java.util.EnumMap<>(Event.class);
        for (Event e : Event.values()) {
            LongAdder adder = new LongAdder();
            counters.put(e, adder);
            FunctionCounter.builder(e.meterName, adder, LongAdder::doubleValue)
                    .description(e.description)
                    .tag("namespace", namespace)
                    .register(registry);
        }
        return counters;
    }
}
