package dev.pgcache.rpc;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import dev.pgcache.config.Durations;
import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.config.RpcConfig;
import dev.pgcache.entry.ChainViews;
import dev.pgcache.entry.Invalidations;
import dev.pgcache.entry.KeyRules;
import dev.pgcache.load.LoadMetrics;
import dev.pgcache.load.Upstreams;
import dev.pgcache.protocol.ProblemException;

/**
 * The JSON-RPC upstreams ({@code pgcache.rpc.upstreams.<name>.*}), built and checked once at
 * start: a bad URL, node, chain kind, lifetime, method policy or method access stops the service with the property
 * named, instead of failing on the first call.
 */
@Startup
@ApplicationScoped
public class RpcUpstreams {

    private final Map<String, RpcNode> byName = new TreeMap<>();

    RpcUpstreams(PgcacheConfig config, KeyRules keyRules, Invalidations invalidations, ChainViews views, LoadMetrics loadMetrics,
            RpcMetrics metrics, dev.pgcache.tracing.Tracing tracing) {
        RpcConfig rpc = config.rpc();
        if (rpc.maxBatchSize() < 1) {
            throw new IllegalStateException("pgcache.rpc.max-batch-size must be at least 1");
        }
        Duration interval = rpc.headPollInterval();
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalStateException("pgcache.rpc.head-poll-interval must be longer than zero");
        }
        NodeSetup.Shared shared = new NodeSetup.Shared(rpc.maxResponseSize().asLongValue(), loadMetrics, tracing, metrics);
        rpc.upstreams().forEach((name, u) -> {
            String prefix = "pgcache.rpc.upstreams." + name;
            try {
                keyRules.checkNamespace(RpcConnection.namespaceOf(name));
            } catch (ProblemException e) {
                throw new IllegalStateException(prefix + ": the upstream's name makes its namespace: " + e.getMessage());
            }
            Upstreams.checkCall(prefix, u.timeout(), u.waitTimeout(), u.retry(), u.circuitBreaker(), u.headers());
            if (u.finalityDepth() < 0) {
                throw new IllegalStateException(prefix + ".finality-depth must not be negative");
            }
            RpcMethodPolicy policy;
            try {
                RpcMethodPolicy.Lifetimes lifetimes = new RpcMethodPolicy.Lifetimes(ttl(prefix + ".static-ttl", u.staticTtl()),
                        ttl(prefix + ".finalized-ttl", u.finalizedTtl()),
                        ttl(prefix + ".unfinalized-ttl", u.unfinalizedTtl()).orElseThrow(() -> new IllegalStateException(
                                prefix + ".unfinalized-ttl must be a duration: unfinalized blocks can change")),
                        ttl(prefix + ".head-ttl", u.headTtl()).orElseThrow(() -> new IllegalStateException(
                                prefix + ".head-ttl must be a duration: the head moves")));
                policy = new RpcMethodPolicy(RpcMethodPolicy.defaultsOf(u.chain()), u.methods(), lifetimes);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(prefix + (e.getMessage().contains("chain kind") ? ".chain " : ".methods.") + e.getMessage());
            }
            RpcMethodAccess access;
            try {
                access = new RpcMethodAccess(name, RpcMethodAccess.defaultsOf(u.chain()), u.methodAccess(), u.adminMethodsEnabled());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(prefix + ".method-access." + e.getMessage());
            }
            String namespace = RpcConnection.namespaceOf(name);
            RpcConnection connection = new RpcConnection(name, NodeSetup.nodes(name, prefix, u, shared));
            ChainTracker tracker = new ChainTracker(connection, ChainReader.of(u.chain(), connection, u.finalizedTag(), u.finalityDepth()),
                    invalidations, views, metrics, interval, u.timeout());
            byName.put(name, new RpcNode(connection, policy, access, tracker, u.waitTimeout()));
        });
    }

    Optional<RpcNode> of(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Whether an upstream of this name is configured. */
    public boolean exists(String name) {
        return byName.containsKey(name);
    }

    /**
     * What this replica knows of one upstream's chain.
     *
     * @param head      the head block as last seen; null while the node has never answered
     * @param finalized the finalized block as last seen; null likewise
     * @param reorgs    re-orgs this replica detected since it started
     * @param nodes     its nodes, in the order of their ids
     */
    public record ChainStatus(String name, String namespace, Long head, Long finalized, long reorgs, List<NodeStatus> nodes) {
    }

    /**
     * One node of an upstream as this replica sees it.
     *
     * @param origin  scheme://host:port, never the path or query (they may hold a key)
     * @param head    its head as last polled; null until it answered (an upstream of one node: the chain's head)
     * @param lagging whether it is more than max-lag blocks behind the best node
     * @param breaker closed, half_open or open
     * @param calls   callers' calls sent to it (hedges and moves to it included)
     * @param errors  those that failed, or answered null about a block it had not reached
     * @param p50Ms   median duration of its recent successful calls; null before any
     */
    public record NodeStatus(String id, String origin, String role, int weight, Long head, boolean lagging, String breaker, long calls,
            long errors, Double p50Ms, Double p90Ms) {
    }

    /** Every upstream's chain as this replica last saw it; asks no node. */
    public List<ChainStatus> chains() {
        return byName.values().stream().map(n -> {
            RpcMethodPolicy.Heads h = n.tracker().lastSeen();
            return new ChainStatus(n.connection().name(), n.namespace(), h == null ? null : h.head(), h == null ? null : h.finalized(),
                    n.tracker().reorgsSeen(), nodes(n.connection().nodes(), h));
        }).toList();
    }

    private static List<NodeStatus> nodes(RpcNodes nodes, RpcMethodPolicy.Heads chain) {
        long best = nodes.bestHead();
        boolean single = nodes.nodes().size() == 1;
        return nodes.nodes().stream().map(n -> {
            Long head = n.head() >= 0 ? Long.valueOf(n.head()) : single && chain != null ? Long.valueOf(chain.head()) : null;
            String breaker = switch (n.breakerState()) {
                case UpstreamNode.OPEN -> "open";
                case UpstreamNode.HALF_OPEN -> "half_open";
                default -> "closed";
            };
            return new NodeStatus(n.id(), n.origin(), dev.pgcache.config.EnumText.of(n.role()), n.weight(), head,
                    NodeOrder.lagging(n, best, nodes.maxLag()), breaker, n.calls(), n.errors(), millis(n.latency(0.5)), millis(n.latency(0.9)));
        }).toList();
    }

    private static Double millis(long nanos) {
        return nanos < 0 ? null : nanos / 1_000_000.0;
    }

    Collection<RpcNode> all() {
        return byName.values();
    }

    private static Optional<Duration> ttl(String property, String text) {
        try {
            Optional<Duration> d = Durations.parseTtl(text);
            if (d.isPresent() && d.get().isNegative()) {
                throw new IllegalArgumentException("must not be negative");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(property + " " + e.getMessage());
        }
    }
}
