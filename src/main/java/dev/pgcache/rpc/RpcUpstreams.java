package dev.pgcache.rpc;

import java.net.URI;
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
import dev.pgcache.load.GuardedSource;
import dev.pgcache.load.LoadMetrics;
import dev.pgcache.load.Upstreams;
import dev.pgcache.protocol.ProblemException;

/**
 * The JSON-RPC upstreams ({@code pgcache.rpc.upstreams.<name>.*}), built and checked once at
 * start: a bad URL, chain kind, lifetime, method policy or method access stops the service with the property
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
        rpc.upstreams().forEach((name, u) -> {
            String prefix = "pgcache.rpc.upstreams." + name;
            try {
                keyRules.checkNamespace(RpcConnection.namespaceOf(name));
            } catch (ProblemException e) {
                throw new IllegalStateException(prefix + ": the upstream's name makes its namespace: " + e.getMessage());
            }
            URI url = url(prefix, u.url());
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
            RpcClient client = new RpcClient(name, url, u.headers(), u.timeout(), rpc.maxResponseSize().asLongValue());
            GuardedSource source = new GuardedSource(namespace, client, u.retry(), u.circuitBreaker(), u.waitTimeout(), loadMetrics, tracing);
            RpcConnection connection = new RpcConnection(name, source);
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
     */
    public record ChainStatus(String name, String namespace, Long head, Long finalized, long reorgs) {
    }

    /** Every upstream's chain as this replica last saw it; asks no node. */
    public List<ChainStatus> chains() {
        return byName.values().stream().map(n -> {
            RpcMethodPolicy.Heads h = n.tracker().lastSeen();
            return new ChainStatus(n.connection().name(), n.namespace(), h == null ? null : h.head(), h == null ? null : h.finalized(),
                    n.tracker().reorgsSeen());
        }).toList();
    }

    Collection<RpcNode> all() {
        return byName.values();
    }

    private static URI url(String prefix, String text) {
        URI url;
        try {
            url = URI.create(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(prefix + ".url is not a URL");
        }
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https")) || url.getHost() == null) {
            throw new IllegalStateException(prefix + ".url must be an http:// or https:// URL with a host");
        }
        return url;
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
