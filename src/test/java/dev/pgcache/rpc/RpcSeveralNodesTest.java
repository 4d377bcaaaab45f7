package dev.pgcache.rpc;

import static dev.pgcache.rpc.Rpc.hex;
import static dev.pgcache.rpc.Rpc.number;
import static dev.pgcache.rpc.Rpc.request;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pgcache.testing.NodesTestResource;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An upstream of three real Anvil nodes of one chain (testing.NodesTestResource: upstream
 * "multi", nodes a, b, c, each behind a counting relay): a lagging node gets nothing about blocks
 * it lacks, a null from a node behind is not trusted, a slow node is hedged, a write reaches one
 * node once even when it fails, a killed node is taken out by its breaker. Every answer a caller
 * gets is compared with a healthy node's own. The tests run in order: the last one kills node a.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RpcSeveralNodesTest {

    static final String ALICE = RpcAnvilTest.ALICE;
    static final String BOB = RpcAnvilTest.BOB;

    private static String nodeUrl(String id) {
        return Rpc.url("test.multi." + id + ".url");
    }

    private static String relay(String id) {
        return Rpc.url("test.multi." + id + ".relay");
    }

    private static JsonNode direct(String id, String method, Object... params) {
        JsonNode a = Rpc.direct(nodeUrl(id), request(method, params).toString());
        if (a.has("error")) {
            throw new AssertionError(method + " on node " + id + " failed: " + a);
        }
        return a.get("result");
    }

    private static long height(String id) {
        return number(direct(id, "eth_blockNumber"));
    }

    /** Mines the nodes up to this height, every block of a height with the same timestamp on every node: the same blocks. */
    private static void mineTo(long target, String... ids) {
        for (String id : ids) {
            for (long h = height(id) + 1; h <= target; h++) {
                direct(id, "evm_setNextBlockTimestamp", NodesTestResource.GENESIS_TIMESTAMP + h);
                direct(id, "evm_mine");
            }
        }
    }

    private static int relayed(String id, String method) {
        return Integer.parseInt(Rpc.get(relay(id) + "/__calls?method=" + method));
    }

    private static double nodeMetric(String name, String node) {
        return Rpc.metric(name + "{node=\"" + node + "\",upstream=\"multi\"}");
    }

    private static void awaitNodeHead(String node, long head) {
        await("node " + node + " polled at head " + head).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> nodeMetric("pgcache_rpc_node_head", node) == head);
    }

    /** Asks the proxy; the answer must be the reference node's, as JSON, and not an error. */
    private static JsonNode same(String reference, String method, Object... params) {
        ObjectNode r = request(method, params);
        JsonNode proxied = Rpc.proxy("multi", r);
        JsonNode direct = Rpc.direct(nodeUrl(reference), r.toString());
        assertFalse(proxied.has("error"), method + " through the proxy: " + proxied);
        assertEquals(direct.get("result"), proxied.get("result"), method + " " + List.of(params) + ": the proxy's answer and node " + reference + "'s");
        return proxied.get("result");
    }

    private static JsonNode nodeStatus(String id) {
        JsonNode status = Rpc.read(given().get("/v1/admin/status").then().statusCode(200).extract().asString());
        for (JsonNode u : status.get("upstreams")) {
            if (u.get("name").asText().equals("multi")) {
                for (JsonNode n : u.get("nodes")) {
                    if (n.get("id").asText().equals(id)) {
                        return n;
                    }
                }
            }
        }
        throw new AssertionError("no node " + id + " of upstream multi in " + status);
    }

    @Test
    @Order(1)
    void theNodesShareOneChainAndALaggingNodeIsNotAskedAboutBlocksItLacks() {
        mineTo(20, "a", "b");
        mineTo(10, "c");
        for (long n : new long[] { 1, 10 }) {
            String hash = direct("a", "eth_getBlockByNumber", hex(n), false).get("hash").asText();
            assertEquals(hash, direct("b", "eth_getBlockByNumber", hex(n), false).get("hash").asText(), "block " + n + " on a and b");
            assertEquals(hash, direct("c", "eth_getBlockByNumber", hex(n), false).get("hash").asText(), "block " + n + " on a and c");
        }
        assertEquals(direct("a", "eth_getBlockByNumber", hex(20), false), direct("b", "eth_getBlockByNumber", hex(20), false));
        awaitNodeHead("a", 20);
        awaitNodeHead("b", 20);
        awaitNodeHead("c", 10);
        assertTrue(nodeStatus("c").get("lagging").asBoolean(), "node c is lagging: " + nodeStatus("c"));
        assertFalse(nodeStatus("a").get("lagging").asBoolean());

        List<String> nearTheHead = List.of("eth_getBlockByNumber", "eth_getBlockTransactionCountByNumber", "eth_blockNumber", "eth_getBalance");
        Map<String, Integer> before = new java.util.HashMap<>();
        nearTheHead.forEach(m -> before.put(m, relayed("c", m)));
        for (long n = 11; n <= 20; n++) {
            assertNotNull(same("a", "eth_getBlockByNumber", hex(n), false).get("hash"));
            assertEquals("0x0", same("a", "eth_getBlockTransactionCountByNumber", hex(n)).asText());
            assertEquals(20, number(same("a", "eth_blockNumber")));
            same("a", "eth_getBalance", ALICE, "latest");
        }
        nearTheHead.forEach(m -> assertEquals(before.get(m), relayed("c", m), m + " requests about blocks node c lacks reached it"));

        // blocks the others mined a moment ago: the heads the proxy knows are behind, so every node may be asked; a null from c is not trusted
        for (long n = 21; n <= 26; n++) {
            mineTo(n, "a", "b");
            assertNotNull(same("a", "eth_getBlockByNumber", hex(n), false).get("hash"), "block " + n);
        }
        awaitNodeHead("a", 26);
        for (long n = 21; n <= 26; n++) {
            assertNotNull(same("a", "eth_getBlockByNumber", hex(n), false).get("hash"), "block " + n + " again (from the cache: never a null)");
        }
        // blocks c has may go to any node, and are the same
        for (long n = 1; n <= 10; n++) {
            same("a", "eth_getBlockByNumber", hex(n), true);
        }
    }

    @Test
    @Order(2)
    void aSlowNodeIsHedgedAndReadsAnswerAtTheSpeedOfTheOthers() {
        long head = height("a");
        mineTo(head, "c");
        awaitNodeHead("c", head);
        double hedgesBefore = Rpc.metric("pgcache_rpc_hedges_total{upstream=\"multi\"}");
        Rpc.put(relay("b") + "/__delay?method=*&ms=3000");
        try {
            for (long n = 1; n <= 12; n++) {
                long start = System.nanoTime();
                same("a", "eth_getBalance", BOB, hex(n));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(ms < 2000, "a read of block " + n + " took " + ms + " ms: node b holds every call 3 s, and the read should have been hedged");
            }
            assertTrue(Rpc.metric("pgcache_rpc_hedges_total{upstream=\"multi\"}") > hedgesBefore, "hedges counted");
        } finally {
            Rpc.put(relay("b") + "/__delay?method=*&ms=0");
        }
    }

    @Test
    @Order(3)
    void aWriteIsSentOnceEvenWhenItsNodeFails() {
        String raw = direct("a", "eth_signTransaction", Map.of("from", ALICE, "to", BOB, "value", "0x1")).asText();
        int before = relayed("a", "eth_sendRawTransaction") + relayed("b", "eth_sendRawTransaction") + relayed("c", "eth_sendRawTransaction");
        for (String id : List.of("a", "b", "c")) {
            Rpc.put(relay(id) + "/__fail?status=503");
        }
        JsonNode answer;
        try {
            answer = Rpc.proxy("multi", request("eth_sendRawTransaction", raw));
        } finally {
            for (String id : List.of("a", "b", "c")) {
                Rpc.put(relay(id) + "/__fail?status=0");
            }
        }
        assertTrue(answer.has("error"), "the node failed: " + answer);
        int after = relayed("a", "eth_sendRawTransaction") + relayed("b", "eth_sendRawTransaction") + relayed("c", "eth_sendRawTransaction");
        assertEquals(1, after - before, "the write reached one node once, and was neither retried nor sent to another");
        for (String id : List.of("a", "b", "c")) {
            assertEquals("0x0", direct(id, "eth_getTransactionCount", ALICE, "pending").asText(), "nothing pending on node " + id);
        }
    }

    @Test
    @Order(4)
    void aFloodOfCallsEveryNodeAnswersAsUnwellOpensNoBreaker() {
        for (String id : List.of("a", "b", "c")) {
            assertEquals(0.0, nodeMetric("pgcache_rpc_node_breaker_state", id), "node " + id + "'s breaker is closed to begin with");
        }
        // every node answers these calls -32603 (the relays answer for the Anvils: asked the malformed calls tried, Anvil answers
        // -32602), so the error says nothing about any node: with a window of 4 calls at a ratio of 0.5, 40 of them counted against
        // the nodes opened all three breakers, and a caller with a mere read key took the whole upstream out
        for (String id : List.of("a", "b", "c")) {
            Rpc.put(relay(id) + "/__error?code=-32603");
        }
        try {
            for (long n = 1; n <= 40; n++) {
                JsonNode answer = Rpc.read(given().header("Authorization", "Bearer " + TestKeys.RPC_READER).contentType("application/json")
                        .body(request("eth_getStorageAt", ALICE, hex(1000 + n), "latest").toString()).post("/v1/rpc/multi")
                        .then().statusCode(200).extract().asString());
                assertEquals(-32603, answer.path("error").path("code").asInt(), "the nodes' own answer is the caller's: " + answer);
            }
        } finally {
            for (String id : List.of("a", "b", "c")) {
                Rpc.put(relay(id) + "/__error?code=0");
            }
        }
        for (String id : List.of("a", "b", "c")) {
            assertEquals(0.0, nodeMetric("pgcache_rpc_node_breaker_state", id), "node " + id + "'s breaker is still closed");
            assertEquals("closed", nodeStatus(id).get("breaker").asText());
        }
        // and healthy calls keep being answered (slot 1: what the next test asks about slot 0 must still reach the nodes)
        for (long n = 1; n <= 12; n++) {
            same("a", "eth_getStorageAt", ALICE, "0x1", hex(n));
        }
    }

    @Test
    @Order(5)
    void aNodeThatSaysItIsUnwellIsPassedOverAndARequestErrorIsNot() {
        long head = height("a");
        mineTo(head, "c");
        awaitNodeHead("c", head);
        String unwell = "pgcache_rpc_node_calls_total{node=\"c\",outcome=\"unwell_answer\",upstream=\"multi\"}";
        double before = Rpc.metric(unwell);
        Rpc.put(relay("c") + "/__error?code=-32603");
        try {
            for (long n = 1; n <= 12; n++) {
                same("a", "eth_getStorageAt", ALICE, "0x0", hex(n));
            }
        } finally {
            Rpc.put(relay("c") + "/__error?code=0");
        }
        assertTrue(Rpc.metric(unwell) > before, "node c's internal errors counted as unwell answers");
        // a bad request is the caller's answer, whichever node gives it: -32602 is not moved on
        JsonNode bad = Rpc.proxy("multi", request("eth_getBalance", "not an address", "0x1"));
        assertTrue(bad.has("error"), bad.toString());
        assertFalse(bad.get("error").get("code").asInt() == -32000, "the node's own error, not a failure of pgcache: " + bad);
    }

    @Test
    @Order(6)
    void aKilledNodeIsTakenOutByItsBreakerAndCallersGetTheOthersAnswers() throws Exception {
        long head = height("b");
        ProcessHandle a = ProcessHandle.of(Long.parseLong(Rpc.url("test.multi.a.pid"))).orElseThrow();
        a.destroy();
        a.onExit().get(10, TimeUnit.SECONDS);
        for (long n = 1; n <= head; n++) {
            same("b", "eth_getTransactionCount", ALICE, hex(n));
            assertEquals(head, number(same("b", "eth_blockNumber")));
        }
        await("node a's breaker open").atMost(Duration.ofSeconds(20)).until(() -> nodeMetric("pgcache_rpc_node_breaker_state", "a") == 2);
        assertEquals("open", nodeStatus("a").get("breaker").asText());
        assertTrue(nodeStatus("a").get("errors").asLong() > 0, "errors counted: " + nodeStatus("a"));
        String failed = "pgcache_rpc_node_calls_total{node=\"a\",outcome=\"";
        assertTrue(given().get("/q/metrics").asString().lines().anyMatch(l -> l.startsWith(failed) && !l.startsWith(failed + "ok\"")),
                "failed calls of node a counted by outcome");
        // with a out, the chain still moves on: b and c mine on, and the proxy follows them
        mineTo(head + 2, "b", "c");
        awaitNodeHead("b", head + 2);
        for (int i = 0; i < 5; i++) {
            assertEquals(head + 2, number(same("b", "eth_blockNumber")));
            same("b", "eth_getBlockByNumber", hex(head + 2), false);
        }
    }
}
