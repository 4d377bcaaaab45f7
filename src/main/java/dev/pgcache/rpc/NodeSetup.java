package dev.pgcache.rpc;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.pgcache.config.EnumText;
import dev.pgcache.config.RetryConfig;
import dev.pgcache.config.RpcHedgeConfig;
import dev.pgcache.config.RpcNodeConfig;
import dev.pgcache.config.RpcUpstreamConfig;
import dev.pgcache.load.GuardedSource;
import dev.pgcache.load.LoadMetrics;
import dev.pgcache.load.Upstreams;
import dev.pgcache.tracing.Tracing;

/**
 * Builds the nodes of one JSON-RPC upstream from config and checks them at start, naming the
 * property: either {@code url} (one primary node, id "default") or {@code nodes.<id>.*} (url, role
 * primary|fallback, weight at least 1, headers added to the upstream's), never both, never none;
 * max-lag not negative; the hedge's percentile above 0 and below 1, its min-delay not negative.
 */
final class NodeSetup {

    static final String SINGLE_ID = "default";
    static final int MAX_NODES = 16;
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,32}");

    private NodeSetup() {
    }

    /** What the nodes' clients share. */
    record Shared(long maxResponseSize, LoadMetrics loadMetrics, Tracing tracing, RpcMetrics metrics) {
    }

    /** One node as config lists it, checked. {@code label}: what its circuit breaker's metrics and messages call it. */
    record Spec(String id, UpstreamNode.Role role, int weight, URI url, Map<String, String> headers, String label) {
    }

    static RpcNodes nodes(String name, String prefix, RpcUpstreamConfig u, Shared shared) {
        List<UpstreamNode> nodes = new ArrayList<>();
        List<Spec> specs = specs(name, prefix, u);
        // one node retries on its own; several are each other's retry: a read moves on at the first failure, rounds retry
        boolean several = specs.size() > 1;
        RetryConfig perNode = several ? NodeRounds.NO_RETRIES : u.retry();
        for (Spec spec : specs) {
            RpcClient client = new RpcClient(name, spec.url(), spec.headers(), u.timeout(), shared.maxResponseSize());
            UpstreamNode node = new UpstreamNode(name, spec.id(), spec.role(), spec.weight(), client.origin(), shared.metrics());
            node.source(new GuardedSource(spec.label(), client, perNode, u.circuitBreaker(), u.waitTimeout(), shared.loadMetrics(),
                    shared.tracing(), node::circuit));
            nodes.add(node);
        }
        return new RpcNodes(name, nodes, u.maxLag(), u.hedge(), u.chain().equalsIgnoreCase("substrate"),
                several ? u.retry() : NodeRounds.NO_RETRIES, u.waitTimeout(), shared.metrics());
    }

    /** The upstream's nodes from config, in the order of their ids; a bad one stops the start with its property named. */
    static List<Spec> specs(String name, String prefix, RpcUpstreamConfig u) {
        Map<String, RpcNodeConfig> configured = new TreeMap<>(u.nodes());
        if (u.url().isPresent() == !configured.isEmpty()) {
            throw new IllegalStateException(prefix + (configured.isEmpty() ? ".url or " + prefix + ".nodes.<id>.url must be set: the upstream has no node"
                    : ".url and " + prefix + ".nodes.* are both set; list the nodes only"));
        }
        if (configured.size() > MAX_NODES) {
            throw new IllegalStateException(prefix + ".nodes lists " + configured.size() + " nodes; at most " + MAX_NODES);
        }
        if (u.maxLag() < 0) {
            throw new IllegalStateException(prefix + ".max-lag must not be negative");
        }
        checkHedge(prefix + ".hedge", u.hedge());
        String namespace = RpcConnection.namespaceOf(name);
        List<Spec> specs = new ArrayList<>();
        if (u.url().isPresent()) {
            // the breaker's label is the namespace for an upstream of one node, as before; "<namespace>/<id>" for each of several
            specs.add(new Spec(SINGLE_ID, UpstreamNode.Role.PRIMARY, 1, url(prefix + ".url", u.url().get()), u.headers(), namespace));
        }
        configured.forEach((id, n) -> {
            String p = prefix + ".nodes." + id;
            if (!ID.matcher(id).matches()) {
                throw new IllegalStateException(p + ": a node id is 1 to 32 letters, digits, '.', '_' or '-' (it names the node in metrics)");
            }
            URI url = url(p + ".url", n.url());
            UpstreamNode.Role role = EnumText.parse(UpstreamNode.Role.class, n.role()).orElseThrow(
                    () -> new IllegalStateException(p + ".role must be primary or fallback, not '" + n.role() + "'"));
            if (n.weight() < 1) {
                throw new IllegalStateException(p + ".weight must be at least 1");
            }
            Upstreams.checkCall(p, u.timeout(), u.waitTimeout(), u.retry(), u.circuitBreaker(), n.headers());
            Map<String, String> headers = new TreeMap<>(u.headers());
            headers.putAll(n.headers());
            specs.add(new Spec(id, role, n.weight(), url, headers, namespace + "/" + id));
        });
        return specs;
    }

    private static void checkHedge(String prefix, RpcHedgeConfig h) {
        if (!(h.percentile() > 0 && h.percentile() < 1)) {
            throw new IllegalStateException(prefix + ".percentile must be above 0 and below 1, e.g. 0.9");
        }
        if (h.minDelay().isNegative()) {
            throw new IllegalStateException(prefix + ".min-delay must not be negative");
        }
    }

    static URI url(String property, String text) {
        URI url;
        try {
            url = URI.create(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(property + " is not a URL");
        }
        if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https")) || url.getHost() == null) {
            throw new IllegalStateException(property + " must be an http:// or https:// URL with a host");
        }
        return url;
    }
}
