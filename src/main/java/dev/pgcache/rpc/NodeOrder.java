package dev.pgcache.rpc;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.util.function.DoubleSupplier;

/**
 * The order in which an upstream's nodes are asked for one call. Only nodes that fit the call are
 * asked when any does: for a block number, the nodes whose head has reached it; for the head, the
 * nodes not lagging more than max-lag blocks behind the best head (a node that never reported its
 * head counts as not lagging); when no node fits (a block above every head), every node. Among
 * them: primaries whose circuit is not open, in weighted random order; then such fallbacks; then
 * the nodes whose circuit is open (their breaker answers at once without calling them, and a write
 * may move on past it).
 */
final class NodeOrder {

    private NodeOrder() {
    }

    static List<UpstreamNode> of(List<UpstreamNode> nodes, long need, int maxLag, DoubleSupplier random) {
        if (nodes.size() == 1) {
            return nodes;
        }
        long best = bestHead(nodes);
        List<UpstreamNode> pool = new ArrayList<>(nodes.size());
        for (UpstreamNode n : nodes) {
            if (fits(n, need, best, maxLag)) {
                pool.add(n);
            }
        }
        if (pool.isEmpty()) {
            pool.addAll(nodes);
        }
        Map<UpstreamNode, Double> keys = new HashMap<>();
        for (UpstreamNode n : pool) {
            // Efraimidis-Spirakis: sorting by -ln(u)/weight is a weighted random order without replacement
            keys.put(n, -Math.log(1 - random.getAsDouble()) / n.weight());
        }
        pool.sort(Comparator.comparingInt((UpstreamNode n) -> n.usable() ? 0 : 1)
                .thenComparingInt(n -> n.role() == UpstreamNode.Role.PRIMARY ? 0 : 1)
                .thenComparingDouble(keys::get));
        return pool;
    }

    /** The highest head the nodes reported; -1 when none did. */
    static long bestHead(List<UpstreamNode> nodes) {
        long best = -1;
        for (UpstreamNode n : nodes) {
            best = Math.max(best, n.head());
        }
        return best;
    }

    /** Whether the node lags: its head known and more than max-lag blocks behind the best. */
    static boolean lagging(UpstreamNode n, long best, int maxLag) {
        return n.head() >= 0 && best - n.head() > maxLag;
    }

    private static boolean fits(UpstreamNode n, long need, long best, int maxLag) {
        if (need == BlockNeed.NONE) {
            return true;
        }
        if (need == BlockNeed.HEAD) {
            return !lagging(n, best, maxLag);
        }
        return n.head() >= need;
    }
}
