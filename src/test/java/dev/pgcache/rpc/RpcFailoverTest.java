package dev.pgcache.rpc;

import static dev.pgcache.rpc.Rpc.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Failing over between the nodes of an upstream, against a real Anvil behind two counting relays
 * (testing.NodesTestResource: upstreams "failover" and "sick", each of a primary "main" and a
 * fallback "backup"). What is asserted is counted at the relays, never timed: a read leaves a
 * failing primary after one attempt, the retry budget is spent on rounds over every node, and a
 * node that answers its head polls but fails every caller's call has its breaker opened. And the
 * same failover for a Substrate upstream (upstream "dot": two testing.FakeSubstrateNode, a primary
 * "bad" and a fallback "good").
 */
@QuarkusTest
class RpcFailoverTest {

    private static String relay(String upstream, String id) {
        return Rpc.url("test." + upstream + "." + id + ".relay");
    }

    private static int posts(String upstream, String id) {
        return Integer.parseInt(Rpc.get(relay(upstream, id) + "/__posts"));
    }

    private static int polls(String upstream, String id) {
        return Integer.parseInt(Rpc.get(relay(upstream, id) + "/__own?method=eth_blockNumber"));
    }

    private static void fail(String upstream, String id, int status) {
        Rpc.put(relay(upstream, id) + "/__fail?status=" + status);
    }

    /** Reads that are never cached here (head-ttl=0s), so each one reaches the nodes. */
    private static final List<ObjectNode> READS = List.of(
            request("eth_getBlockByNumber", "latest", false),
            request("eth_getBalance", RpcAnvilTest.ALICE, "latest"),
            request("eth_getBalance", RpcAnvilTest.BOB, "latest"),
            request("eth_getTransactionCount", RpcAnvilTest.ALICE, "latest"),
            request("eth_blockNumber"));

    @Test
    void aReadLeavesAFailingPrimaryAfterOneAttemptAndGetsTheHealthyNodesAnswer() {
        fail("failover", "main", 503);
        try {
            for (ObjectNode read : READS) {
                int main = posts("failover", "main");
                int backup = posts("failover", "backup");
                JsonNode proxied = Rpc.proxy("failover", read);
                JsonNode direct = Rpc.direct(Rpc.url("test.failover.url"), read.toString());
                assertFalse(proxied.has("error"), read + " through the proxy: " + proxied);
                assertEquals(direct.get("result"), proxied.get("result"), read + ": the proxy's answer and the node's");
                assertEquals(1, posts("failover", "main") - main,
                        read + ": one attempt at the failing primary, not its retries (retry.max-retries=2) before the fallback");
                assertEquals(1, posts("failover", "backup") - backup, read + ": the fallback asked once");
            }
        } finally {
            fail("failover", "main", 0);
        }
    }

    @Test
    void whenEveryNodeFailsTheRoundIsRetriedAsTheRetrySettingsSay() {
        fail("failover", "main", 503);
        fail("failover", "backup", 503);
        int main = posts("failover", "main");
        int backup = posts("failover", "backup");
        JsonNode answer;
        try {
            answer = Rpc.proxy("failover", READS.get(1));
        } finally {
            fail("failover", "main", 0);
            fail("failover", "backup", 0);
        }
        assertEquals(-32000, answer.path("error").path("code").asInt(), "every node failed: " + answer);
        assertEquals(3, posts("failover", "main") - main, "the first round and two retried rounds (retry.max-retries=2) asked the primary");
        assertEquals(3, posts("failover", "backup") - backup, "and the fallback, once a round");
    }

    @Test
    void aWriteGoesToOneNodeOnceAndIsNotRetried() {
        fail("failover", "main", 503);
        int main = posts("failover", "main");
        int backup = posts("failover", "backup");
        JsonNode answer;
        try {
            answer = Rpc.proxy("failover", request("eth_sendRawTransaction", "0x02"));
        } finally {
            fail("failover", "main", 0);
        }
        assertTrue(answer.has("error"), "the node failed: " + answer);
        assertEquals(1, posts("failover", "main") - main, "the write reached the primary once");
        assertEquals(0, posts("failover", "backup") - backup, "and not the fallback");
    }

    @Test
    void aSubstrateUpstreamOfTwoNodesOneFailingAnswersWhatTheHealthyNodeAnswers() {
        for (String id : List.of("bad", "good")) {
            // both polled with chain_getHeader, whose "number" is the head (the fake chain's head is 100)
            await("node " + id + " of dot polled").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> Rpc.metric("pgcache_rpc_node_head{node=\"" + id + "\",upstream=\"dot\"}") == 100);
        }
        String good = Rpc.url("test.dot.good.url");
        String hash = Rpc.direct(good, request("chain_getBlockHash", 40).toString()).get("result").asText();
        List<ObjectNode> reads = new java.util.ArrayList<>();
        for (int n = 41; n <= 45; n++) {
            reads.add(request("chain_getBlockHash", n));
        }
        reads.add(request("chain_getHeader", hash));
        reads.add(request("chain_getBlock", hash));
        reads.add(request("state_getStorage", "0x26aa394eea5630e07c48ae0c9558cef7", hash));
        reads.add(request("chain_getFinalizedHead"));
        fail("dot", "bad", 503);
        try {
            for (ObjectNode read : reads) {
                int bad = posts("dot", "bad");
                int healthy = posts("dot", "good");
                JsonNode proxied = Rpc.proxy("dot", read);
                assertFalse(proxied.has("error"), read + " through the proxy: " + proxied);
                assertEquals(Rpc.direct(good, read.toString()).get("result"), proxied.get("result"), read + ": the proxy's answer and the healthy node's");
                assertEquals(1, posts("dot", "bad") - bad, read + ": one attempt at the failing primary (retry.max-retries=2)");
                assertEquals(1, posts("dot", "good") - healthy, read + ": then the fallback, once");
            }
        } finally {
            fail("dot", "bad", 0);
        }
        // the node is well again: being the primary, it answers, and its answer is the same
        int healthy = posts("dot", "good");
        ObjectNode read = request("chain_getBlockHash", 46);
        assertEquals(Rpc.direct(good, read.toString()).get("result"), Rpc.proxy("dot", read).get("result"));
        assertEquals(healthy, posts("dot", "good"), "the recovered primary answered, the fallback was not asked");
    }

    @Test
    void aNodeThatAnswersItsHeadPollsButFailsEveryCallHasItsBreakerOpenedAndACallersCallClosesIt() {
        String breaker = "pgcache_rpc_node_breaker_state{node=\"main\",upstream=\"sick\"}";
        assertEquals(0, Rpc.metric(breaker), "closed at first");
        int main = posts("sick", "main");
        fail("sick", "main", 503);
        try {
            for (int i = 0; i < 4; i++) {
                // between two calls, the polls that reach the node (and are answered): four arrivals, so three have been answered
                int before = polls("sick", "main");
                await("head polls of node main").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                        .until(() -> polls("sick", "main") >= before + 4);
                sameAsTheNode("sick", READS.get(i % READS.size()));
            }
            // with the polls counted as successes, each failure sat among three of them and the window of 4 never reached 50 % failures
            assertEquals(2, Rpc.metric(breaker), "node main failed every call it was given: its breaker is open");
            assertEquals(4, posts("sick", "main") - main, "four failed calls opened it (a window of 4)");
            sameAsTheNode("sick", READS.get(4));
            assertEquals(4, posts("sick", "main") - main, "while open (5 s), the node is not called");
        } finally {
            fail("sick", "main", 0);
        }
        // well again: after its delay the breaker is half-open, and a caller's call (the primary comes first again) closes it
        await("node main's breaker closed by a caller's call").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    sameAsTheNode("sick", READS.get(0));
                    return Rpc.metric(breaker) == 0;
                });
        int before = posts("sick", "backup");
        sameAsTheNode("sick", READS.get(1));
        assertEquals(before, posts("sick", "backup"), "the primary answers again; the fallback is not asked");
    }

    private static void sameAsTheNode(String upstream, ObjectNode read) {
        JsonNode proxied = Rpc.proxy(upstream, read);
        assertFalse(proxied.has("error"), read + " through the proxy: " + proxied);
        assertEquals(Rpc.direct(Rpc.url("test." + upstream + ".url"), read.toString()).get("result"), proxied.get("result"),
                read + ": the proxy's answer and the node's");
    }
}
