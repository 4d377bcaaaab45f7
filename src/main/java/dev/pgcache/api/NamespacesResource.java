package dev.pgcache.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
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
    public Map<String, Object> namespaces() {
        Map<String, NamespaceCounts> counts = new TreeMap<>();
        policies.declared().keySet().forEach(ns -> counts.put(ns, NamespaceCounts.empty(ns)));
        for (NamespaceCounts c : store.countByNamespace()) {
            counts.put(c.namespace(), c);
        }
        List<Map<String, Object>> list = counts.values().stream().map(c -> {
            NamespacePolicies.Policy policy = policies.describe(c.namespace());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.namespace());
            m.put("declared", policy.declared());
            m.put("entries", c.entries());
            m.put("fresh", c.fresh());
            m.put("stale", c.stale());
            m.put("gone", c.gone());
            m.put("bytes", c.bytes());
            m.put("policy", policyOf(policy.lifetime()));
            return m;
        }).toList();
        return Map.of("namespaces", list);
    }

    @Override
    @Access(Scope.ADMIN)
    public Map<String, Object> stats() {
        Map<String, Object> byNamespace = new TreeMap<>();
        for (String ns : metrics.namespaces()) {
            long hits = metrics.total(ns, Event.HIT);
            long stale = metrics.total(ns, Event.STALE_HIT);
            long misses = metrics.total(ns, Event.MISS);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hits", hits);
            m.put("staleHits", stale);
            m.put("misses", misses);
            m.put("writes", metrics.total(ns, Event.WRITE));
            m.put("invalidations", metrics.total(ns, Event.INVALIDATION));
            m.put("purged", metrics.total(ns, Event.PURGED));
            m.put("evicted", metrics.total(ns, Event.EVICTED));
            long reads = hits + stale + misses;
            m.put("hitRatio", reads == 0 ? null : (double) (hits + stale) / reads);
            byNamespace.put(ns, m);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("since", metrics.since().toString());
        answer.put("namespaces", byNamespace);
        return answer;
    }

    private static Map<String, Object> policyOf(Lifetime lifetime) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ttlSeconds", lifetime.ttl().map(Duration::toSeconds).orElse(null));
        m.put("staleSeconds", lifetime.stale().toSeconds());
        return m;
    }
}
