package dev.pgcache.api;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.pgcache.security.Access;
import dev.pgcache.security.Scope;
import dev.pgcache.entry.MaintenanceStore;
import dev.pgcache.entry.Lifetime;
import dev.pgcache.entry.NamespaceCounts;
import dev.pgcache.entry.NamespacePolicies;
import dev.pgcache.metrics.CacheMetrics;
import dev.pgcache.metrics.CacheMetrics.Event;
import dev.pgcache.metrics.TableStats;
import dev.pgcache.config.EnumText;

/** What namespaces exist, what they hold, and how they have been used since start. */
public class NamespacesResource implements NamespacesApi {

    private final MaintenanceStore store;
    private final NamespacePolicies policies;
    private final CacheMetrics metrics;
    private final TableStats tableStats;

    NamespacesResource(MaintenanceStore store, NamespacePolicies policies, CacheMetrics metrics, TableStats tableStats) {
        this.store = store;
        this.policies = policies;
        this.metrics = metrics;
        this.tableStats = tableStats;
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
            Optional<TableStats.Held> held = tableStats.held(ns);
            byNamespace.put(ns, new Answers.NamespaceStats(hits, stale, misses, metrics.total(ns, Event.WRITE),
                    metrics.total(ns, Event.INVALIDATION), metrics.total(ns, Event.PURGED), metrics.total(ns, Event.EVICTED),
                    metrics.total(ns, Event.EVICTED_FOR_CAP), reads == 0 ? null : (double) (hits + stale) / reads,
                    held.map(TableStats.Held::rows).orElse(null), held.map(TableStats.Held::bytes).orElse(null),
                    EnumText.of(policies.describe(ns).durability())));
        }
        return new Answers.Stats(metrics.since(), byNamespace);
    }

    private static Answers.Policy policyOf(Lifetime lifetime) {
        return new Answers.Policy(lifetime.ttl().map(Duration::toSeconds).orElse(null), lifetime.stale().toSeconds());
    }
}
