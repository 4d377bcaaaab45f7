package dev.pgcache.rpc;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * JSON-RPC proxy metrics, tagged by upstream (from config) and method. Methods no policy names
 * are counted as "_other", so the series stay bounded whatever callers send.
 */
@ApplicationScoped
public class RpcMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong[]> heads = new ConcurrentHashMap<>();

    RpcMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One request answered: cache = hit, miss (fetched, may be stored) or bypass (not cacheable). */
    void request(String upstream, String method, String cache) {
        Counter.builder("pgcache.rpc.requests").description("JSON-RPC requests by upstream, method and cache outcome (hit, miss, bypass)")
                .tags("upstream", upstream, "method", method, "cache", cache).register(registry).increment();
    }

    /** One request sent to the node (in a single call or inside a batch), with the duration of that call and its outcome. */
    void upstreamCall(String upstream, String method, String outcome, long nanos) {
        Counter.builder("pgcache.rpc.upstream.calls").description("Requests sent to the node, by method")
                .tags("upstream", upstream, "method", method).register(registry).increment();
        Timer.builder("pgcache.rpc.upstream.latency").description("Duration of the node call that carried each request")
                .tags("upstream", upstream, "method", method, "outcome", outcome).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A request refused for its method (the key's scope, or the upstream's method access); method is the rule that decided. */
    void refused(String upstream, String method) {
        Counter.builder("pgcache.rpc.refused").description("JSON-RPC requests refused for their method, by the access rule that decided")
                .tags("upstream", upstream, "method", method).register(registry).increment();
    }

    /** A request that joined an identical one in flight instead of calling the node. */
    void coalesced(String upstream) {
        Counter.builder("pgcache.rpc.coalesced").description("Requests answered by an identical request already in flight")
                .tags("upstream", upstream).register(registry).increment();
    }

    /** A re-org noticed by the chain tracker. */
    void reorg(String upstream) {
        Counter.builder("pgcache.rpc.reorgs").description("Re-orgs noticed; each invalidates the cached answers about the blocks it replaced")
                .tags("upstream", upstream).register(registry).increment();
    }

    /** A cacheable answer that could not be stored, or a cache that could not be read (the answer still went out). */
    void storeFailed(String upstream) {
        Counter.builder("pgcache.rpc.store.errors").description("Cache reads or writes of the proxy that failed; the request was answered from the node")
                .tags("upstream", upstream).register(registry).increment();
    }

    void heads(String upstream, long head, long finalized) {
        AtomicLong[] g = heads.computeIfAbsent(upstream, u -> {
            AtomicLong[] values = { new AtomicLong(-1), new AtomicLong(-1) };
            Gauge.builder("pgcache.rpc.head", values[0], AtomicLong::get).description("Latest block number seen on the node")
                    .tag("upstream", u).register(registry);
            Gauge.builder("pgcache.rpc.finalized", values[1], AtomicLong::get).description("Finalized block number of the node, as pgcache takes it")
                    .tag("upstream", u).register(registry);
            return values;
        });
        g[0].set(head);
        g[1].set(finalized);
    }
}
