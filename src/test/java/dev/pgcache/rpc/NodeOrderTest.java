package dev.pgcache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerState;

/** The order in which an upstream's nodes are asked: weights, roles, open breakers, lag and the block a request needs. */
class NodeOrderTest {

    private final RpcMetrics metrics = new RpcMetrics(new SimpleMeterRegistry());

    private UpstreamNode node(String id, UpstreamNode.Role role, int weight, long head) {
        UpstreamNode n = new UpstreamNode("u", id, role, weight, "http://127.0.0.1:1", metrics);
        if (head >= 0) {
            n.reported(head);
        }
        return n;
    }

    private static List<String> ids(List<UpstreamNode> order) {
        return order.stream().map(UpstreamNode::id).toList();
    }

    @Test
    void primariesComeByWeightAndFallbacksOnlyAfterThem() {
        UpstreamNode heavy = node("heavy", UpstreamNode.Role.PRIMARY, 3, 100);
        UpstreamNode light = node("light", UpstreamNode.Role.PRIMARY, 1, 100);
        UpstreamNode spare = node("spare", UpstreamNode.Role.FALLBACK, 10, 100);
        Random random = new Random(7);
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < 4000; i++) {
            List<UpstreamNode> order = NodeOrder.of(List.of(spare, light, heavy), BlockNeed.HEAD, 5, random::nextDouble);
            assertEquals("spare", order.get(2).id(), "the fallback is last: " + ids(order));
            first.merge(order.get(0).id(), 1, Integer::sum);
        }
        double share = first.get("heavy") / 4000.0;
        assertTrue(share > 0.70 && share < 0.80, "weight 3 of 4 is first about 75 % of the time: " + share);
    }

    @Test
    void aNodeWhoseBreakerIsOpenIsAskedLastAndAFallbackBeforeIt() {
        UpstreamNode a = node("a", UpstreamNode.Role.PRIMARY, 1, 100);
        UpstreamNode b = node("b", UpstreamNode.Role.PRIMARY, 1, 100);
        UpstreamNode spare = node("spare", UpstreamNode.Role.FALLBACK, 1, 100);
        a.circuit(CircuitBreakerState.OPEN);
        b.circuit(CircuitBreakerState.OPEN);
        assertEquals(List.of("spare"), ids(NodeOrder.of(List.of(a, b, spare), BlockNeed.HEAD, 5, () -> 0.5)).subList(0, 1));
        b.circuit(CircuitBreakerState.HALF_OPEN);
        assertEquals(List.of("b", "spare", "a"), ids(NodeOrder.of(List.of(a, b, spare), BlockNeed.HEAD, 5, () -> 0.5)));
    }

    @Test
    void aLaggingNodeGetsNeitherHeadRequestsNorBlocksAboveItsHead() {
        UpstreamNode ahead = node("ahead", UpstreamNode.Role.PRIMARY, 1, 100);
        UpstreamNode behind = node("behind", UpstreamNode.Role.PRIMARY, 1, 90);
        UpstreamNode near = node("near", UpstreamNode.Role.PRIMARY, 1, 97);
        List<UpstreamNode> all = List.of(ahead, behind, near);
        for (int i = 0; i < 50; i++) {
            Random r = new Random(i);
            assertEquals(List.of("ahead", "near"), ids(NodeOrder.of(all, BlockNeed.HEAD, 5, r::nextDouble)).stream().sorted().toList());
            assertEquals(List.of("ahead"), ids(NodeOrder.of(all, 99, 5, r::nextDouble)));
            assertEquals(3, NodeOrder.of(all, 90, 5, r::nextDouble).size(), "a block every node has: any node");
            assertEquals(3, NodeOrder.of(all, BlockNeed.NONE, 5, r::nextDouble).size(), "a static answer: any node");
            assertEquals(3, NodeOrder.of(all, 101, 5, r::nextDouble).size(), "a block above every head: every node may have it by now");
        }
        assertTrue(NodeOrder.lagging(behind, 100, 5));
        assertTrue(!NodeOrder.lagging(near, 100, 5));
    }

    @Test
    void nodesThatNeverReportedTheirHeadAreNotTakenForLagging() {
        UpstreamNode known = node("known", UpstreamNode.Role.PRIMARY, 1, 100);
        UpstreamNode unknown = node("unknown", UpstreamNode.Role.PRIMARY, 1, -1);
        assertEquals(2, NodeOrder.of(List.of(known, unknown), BlockNeed.HEAD, 5, () -> 0.3).size());
        assertEquals(List.of("known"), ids(NodeOrder.of(List.of(known, unknown), 50, 5, () -> 0.3)));
    }
}
