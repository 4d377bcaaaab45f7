package dev.pgcache.rpc;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.pgcache.metrics.TaggedCounter;
import dev.pgcache.metrics.TaggedGauge;

/**
 * JSON-RPC proxy metrics, tagged by upstream (from config) and method. Methods no policy names
 * are counted as "_other", so the series stay bounded whatever callers send.
 */
@ApplicationScoped
public class RpcMetrics {

    private final MeterRegistry registry;

    private final TaggedCounter requests;
    private final TaggedCounter upstreamCalls;
    private final TaggedCounter refused;
    private final TaggedCounter coalesced;
    private final TaggedCounter lockWaits;
    private final TaggedCounter unlocked;
    private final TaggedCounter reorgs;
    private final TaggedCounter storeFailures;
    private final TaggedGauge head;
    private final TaggedGauge finalized;
    private final TaggedCounter nodeCalls;
    private final TaggedCounter hedges;

    RpcMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.requests = TaggedCounter.of(registry, "pgcache.rpc.requests",
                "JSON-RPC requests by upstream, method and cache outcome (hit, miss, bypass)", "upstream", "method", "cache");
        this.upstreamCalls = TaggedCounter.of(registry, "pgcache.rpc.upstream.calls", "Requests sent to the node, by method",
                "upstream", "method");
        this.refused = TaggedCounter.of(registry, "pgcache.rpc.refused",
                "JSON-RPC requests refused for their method, by the access rule that decided", "upstream", "method");
        this.coalesced = TaggedCounter.of(registry, "pgcache.rpc.coalesced",
                "Requests answered by an identical request already in flight, in this replica or (its stored answer) in another", "upstream");
        this.lockWaits = TaggedCounter.of(registry, "pgcache.rpc.lock.waits",
                "Bodies whose cache misses found their load lock held by another replica, and waited for its answer", "upstream");
        this.unlocked = TaggedCounter.of(registry, "pgcache.rpc.unlocked",
                "Cacheable misses sent to the node without their load lock: no load slot free, or the database not reachable", "upstream");
        this.reorgs = TaggedCounter.of(registry, "pgcache.rpc.reorgs",
                "Re-orgs noticed; each invalidates the cached answers about the blocks it replaced. Counted by the replica that recorded "
                        + "it in the shared chain view, so the sum over replicas counts each once", "upstream");
        this.storeFailures = TaggedCounter.of(registry, "pgcache.rpc.store.errors",
                "Cache reads or writes of the proxy that failed; the request was answered from the node", "upstream");
        this.head = TaggedGauge.of(registry, "pgcache.rpc.head", "Latest block number seen on the node", "upstream");
        this.nodeCalls = TaggedCounter.of(registry, "pgcache.rpc.node.calls",
                "Calls of callers' requests to each node of an upstream, by outcome (ok, untrusted_null, or the failure kind)",
                "upstream", "node", "outcome");
        this.hedges = TaggedCounter.of(registry, "pgcache.rpc.hedges",
                "Reads sent to a second node because the first had not answered within the hedge delay", "upstream");
        this.finalized = TaggedGauge.of(registry, "pgcache.rpc.finalized", "Finalized block number of the node, as pgcache takes it",
                "upstream");
    }

    /** One request answered: cache = hit, miss (fetched, may be stored) or bypass (not cacheable). */
    void request(String upstream, String method, String cache) {
        requests.increment(upstream, method, cache);
    }

    /** A request refused for its method (the key's scope, or the upstream's method access); method is the rule that decided. */
    void refused(String upstream, String method) {
        refused.increment(upstream, method);
    }

    /** A request that joined an identical one in flight instead of calling the node. */
    void coalesced(String upstream) {
        coalesced.increment(upstream);
    }

    /** A body whose misses wait for another replica holding their load locks. */
    void lockWait(String upstream) {
        lockWaits.increment(upstream);
    }

    /** Cacheable misses sent without their load lock. */
    void unlocked(String upstream, int count) {
        for (int i = 0; i < count; i++) {
            unlocked.increment(upstream);
        }
    }

    /** A re-org noticed by the chain tracker. */
    void reorg(String upstream) {
        reorgs.increment(upstream);
    }

    /** A cacheable answer that could not be stored, or a cache that could not be read (the answer still went out). */
    void storeFailed(String upstream) {
        storeFailures.increment(upstream);
    }

    /** One request sent to the node (in a single call or inside a batch), with the duration of that call and its outcome. */
    void upstreamCall(String upstream, String method, String outcome, long nanos) {
        upstreamCalls.increment(upstream, method);
        Timer.builder("pgcache.rpc.upstream.latency").description("Duration of the node call that carried each request")
                .tags("upstream", upstream, "method", method, "outcome", outcome).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** One call of a caller's body to one node (node ids come from config, so the series stay bounded). */
    void nodeCall(String upstream, String node, String outcome, long nanos) {
        nodeCalls.increment(upstream, node, outcome);
        if (!outcome.equals("circuit_open")) { // not called at all
            Timer.builder("pgcache.rpc.node.latency").description("Duration of each call to a node of an upstream")
                    .tags("upstream", upstream, "node", node).register(registry).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A read asked of a second node. */
    void hedge(String upstream) {
        hedges.increment(upstream);
    }

    /** The gauges of one node: its head as last polled (-1 before), and its circuit (0 closed, 1 half-open, 2 open). */
    void nodeGauges(String upstream, String node, LongSupplier head, IntSupplier breaker) {
        Gauge.builder("pgcache.rpc.node.head", head::getAsLong).description("Head block number a node of an upstream last reported; -1 before")
                .tags("upstream", upstream, "node", node).register(registry);
        Gauge.builder("pgcache.rpc.node.breaker.state", breaker::getAsInt)
                .description("Circuit breaker of a node of an upstream: 0 closed, 1 half-open, 2 open").tags("upstream", upstream, "node", node)
                .register(registry);
    }

    void heads(String upstream, long head, long finalized) {
        this.head.set(upstream, head);
        this.finalized.set(upstream, finalized);
    }
}
