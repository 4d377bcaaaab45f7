package dev.pgcache.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.pgcache.security.Access;
import dev.pgcache.security.Scope;
import dev.pgcache.entry.MaintenanceStore;
import dev.pgcache.entry.Lifetime;
import dev.pgcache.entry.NamespaceCounts;
import dev.pgcache.entry.NamespacePolicies;
import dev.pgcache.metrics.CacheMetrics;
import dev.pgcache.metrics.CacheMetrics.Event;

/** What namespaces exist, what they hold, and how they have been used since start. */
@Path("/v1")
@SecurityRequirement(name = ApiExamples.SECURITY_SCHEME)
@Produces(MediaType.APPLICATION_JSON)
public class NamespacesResource {

    private final MaintenanceStore store;
    private final NamespacePolicies policies;
    private final CacheMetrics metrics;

    NamespacesResource(MaintenanceStore store, NamespacePolicies policies, CacheMetrics metrics) {
        this.store = store;
        this.policies = policies;
        this.metrics = metrics;
    }

    /** Every namespace with rows or declared in config: entry counts by state, bytes, and its policy. Counts scan the table. */
    @Access(Scope.ADMIN)
    @GET
    @Path("namespaces")
    @Tag(name = ApiExamples.TAG_SERVICE, description = ApiExamples.TAG_SERVICE_TEXT)
    @Operation(operationId = "listNamespaces", summary = "Namespaces with entry counts and policy",
            description = "Every namespace that has rows or is declared in config, by name: entries by state (fresh, stale, gone), the "
                    + "bytes of their values, and the lifetime its writes get by default. The counts scan the table: for operators, "
                    + "not for hot paths.")
    @APIResponse(responseCode = "200", description = "The namespaces",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.NamespaceList.class),
                    examples = @ExampleObject(name = "namespaces", value = ApiExamples.NAMESPACES)))
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

    /** Per namespace since this replica started: hits, misses, stale hits, writes, invalidations, purged, evicted, hit ratio. */
    @Access(Scope.ADMIN)
    @GET
    @Path("stats")
    @Tag(name = ApiExamples.TAG_SERVICE, description = ApiExamples.TAG_SERVICE_TEXT)
    @Operation(operationId = "stats", summary = "Per-namespace counters of this replica",
            description = "Since this replica started counting: hits, stale hits, misses, writes, invalidations, rows purged and hit "
                    + "ratio, per namespace. The same counters as the pgcache_*_total metrics at /q/metrics; each replica counts its own. "
                    + "Does not touch the database.")
    @APIResponse(responseCode = "200", description = "The counters",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiExamples.Stats.class),
                    examples = @ExampleObject(name = "stats", value = ApiExamples.STATS)))
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
