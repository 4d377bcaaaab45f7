package dev.pgcache.api;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import dev.pgcache.security.Access;
import dev.pgcache.security.Scope;
import dev.pgcache.entry.MaintenanceStore;
import dev.pgcache.entry.Lifetime;
import dev.pgcache.entry.NamespaceCounts;
import dev.pgcache.entry.NamespacePolicies;
import dev.pgcache.metrics.CacheMetrics;
import dev.pgcache.metrics.CacheMetrics.Event;

/** What namespaces exist, what they hold, and how they have been used since start. */
public class NamespacesResource implements NamespacesApi {

    private final MaintenanceStore store;
    private final NamespacePolicies policies;
    private final CacheMetrics metrics;

    NamespacesResource(MaintenanceStore store, NamespacePolicies policies, CacheMetrics metrics) {
        this.store = store;
        this.policies = policies;
        this.metrics = metrics;
    }

    @Override
    @Access(Scope.ADMIN)
    public Answers.NamespaceList namespaces() {
        Map<String, NamespaceCounts> counts = new TreeMap<>();
        policies.declared().keySet().forEach(ns -> counts.put(ns, NamespaceCounts.empty(ns)));
        for (NamespaceCounts c : store.countByNamespace()) {
            counts.put(c.namespace(), c);
        }
        return new Answers.NamespaceList(counts.values().stream().map(c -> {
            NamespacePolicies.Policy policy = policies.describe(c.namespace());
            return new Answers.NamespaceInfo(c.namespace(), policy.declared(), c.entries(), c.fresh(), c.stale(), c.gone(), c.bytes(),
                    policyOf(policy.lifetime()));
        }).toList());
    }

    @Override
    @Access(Scope.ADMIN)
    public Answers.Stats stats() {
        Map<String, Answers.NamespaceStats> byNamespace = new TreeMap<>();
        for (String ns : metrics.namespaces()) {
            long hits = metrics.total(ns, Event.HIT);
            long stale = metrics.total(ns, Event.STALE_HIT);
            long misses = metrics.total(ns, Event.MISS);
            long reads = hits + stale + misses;
            byNamespace.put(ns, new Answers.NamespaceStats(hits, stale, misses, metrics.total(ns, Event.WRITE),
                    metrics.total(ns, Event.INVALIDATION), metrics.total(ns, Event.PURGED), metrics.total(ns, Event.EVICTED),
                    reads == 0 ? null : (double) (hits + stale) / reads));
        }
        return new Answers.Stats(metrics.since(), byNamespace);
    }

    private static Answers.Policy policyOf(Lifetime lifetime) {
        return new Answers.Policy(lifetime.ttl().map(Duration::toSeconds).orElse(null), lifetime.stale().toSeconds());
    }
}
