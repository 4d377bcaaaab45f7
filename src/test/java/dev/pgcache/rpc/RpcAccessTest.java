package dev.pgcache.rpc;

import static dev.pgcache.rpc.Rpc.anvil;
import static dev.pgcache.rpc.Rpc.calls;
import static dev.pgcache.rpc.Rpc.hex;
import static dev.pgcache.rpc.Rpc.number;
import static dev.pgcache.rpc.Rpc.request;
import static dev.pgcache.rpc.RpcAnvilTest.ALICE;
import static dev.pgcache.rpc.RpcAnvilTest.BOB;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.emptyString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pgcache.testing.Rows;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The proxy forwards only what the caller's key may do, checked on real Anvil nodes: what a refused
 * request would have done (a transaction, a balance, a block, a reset) verifiably did not happen,
 * and nothing of it reached the node. Upstream {@code anvil} has admin methods off;
 * {@code anvil-admin} (its own Anvil) has them on, and its chain is reset here.
 */
@QuarkusTest
class RpcAccessTest {

    private static final int REFUSED = -32040;

    @Inject
    RpcProxy proxy;

    private static Response post(String key, String upstream, String body) {
        return given().header("Authorization", "Bearer " + key).contentType("application/json").body(body).post("/v1/rpc/" + upstream);
    }

    private static JsonNode call(String key, String upstream, String method, Object... params) {
        return Rpc.read(post(key, upstream, request(method, params).toString()).then().statusCode(200).extract().asString());
    }

    private static JsonNode adminNode(String method, Object... params) {
        JsonNode a = Rpc.direct(Rpc.url("test.anvil-admin.url"), request(method, params).toString());
        assertFalse(a.has("error"), method + " on the second Anvil failed: " + a);
        return a.get("result");
    }

    private static String freshAddress() {
        return "0x" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE) + "2".repeat(24);
    }

    /** A -32040 answer for this method, whose message names the method and the given requirement. */
    private static void assertRefused(JsonNode answer, String method, String access, String needs) {
        assertEquals(REFUSED, answer.path("error").path("code").asInt(), answer.toString());
        String message = answer.path("error").path("message").asText();
        assertTrue(message.contains("'" + method + "'") && message.contains(needs), message);
        assertEquals(method, answer.path("error").path("data").path("method").asText());
        assertEquals(access, answer.path("error").path("data").path("access").asText());
        assertFalse(answer.has("result"));
    }

    @Test
    void aReadKeyCannotSendSetBalancesMineOrResetAndNothingReachesTheNode() {
        String carol = freshAddress();
        long head = number(anvil("eth_blockNumber"));
        JsonNode nonce = anvil("eth_getTransactionCount", ALICE, "latest");
        int sends = calls("eth_sendTransaction");
        int admin = calls("anvil_setBalance") + calls("evm_mine") + calls("anvil_reset");

        JsonNode send = call(TestKeys.RPC_READER, "anvil", "eth_sendTransaction", Map.of("from", ALICE, "to", BOB, "value", "0x1"));
        assertRefused(send, "eth_sendTransaction", "write", "write scope");
        assertRefused(call(TestKeys.RPC_READER, "anvil", "anvil_setBalance", carol, "0x1234"), "anvil_setBalance", "admin",
                "admin-methods-enabled");
        assertRefused(call(TestKeys.RPC_READER, "anvil", "evm_mine"), "evm_mine", "admin", "admin scope");
        assertRefused(call(TestKeys.RPC_READER, "anvil", "anvil_reset"), "anvil_reset", "admin", "admin scope");

        assertEquals(nonce, anvil("eth_getTransactionCount", ALICE, "latest"), "no transaction was sent");
        assertEquals("0x0", anvil("eth_getBalance", carol, "latest").asText(), "no balance was set");
        assertEquals(head, number(anvil("eth_blockNumber")), "no block was mined, and the chain was not reset");
        assertEquals(sends, calls("eth_sendTransaction"), "nothing was forwarded");
        assertEquals(admin, calls("anvil_setBalance") + calls("evm_mine") + calls("anvil_reset"), "nothing was forwarded");
        assertEquals("0x7a69", call(TestKeys.RPC_READER, "anvil", "eth_chainId").path("result").asText(), "reads still go through");
    }

    @Test
    void aRefusedNotificationIsDroppedWithoutAnAnswer() {
        String carol = freshAddress();
        int setBalances = calls("anvil_setBalance");
        int versions = calls("web3_clientVersion");
        post(TestKeys.RPC_READER, "anvil", "{\"jsonrpc\":\"2.0\",\"method\":\"anvil_setBalance\",\"params\":[\"" + carol + "\",\"0x1234\"]}")
                .then().statusCode(204).body(emptyString());
        post(TestKeys.RPC_READER, "anvil", "[{\"jsonrpc\":\"2.0\",\"method\":\"anvil_setBalance\",\"params\":[\"" + carol + "\",\"0x99\"]},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"web3_clientVersion\"}]").then().statusCode(204).body(emptyString());
        assertEquals(setBalances, calls("anvil_setBalance"), "refused notifications were not forwarded");
        assertEquals(versions + 1, calls("web3_clientVersion"), "the permitted notification of the batch was");
        assertEquals("0x0", anvil("eth_getBalance", carol, "latest").asText());
    }

    @Test
    void aBatchAnswersPermittedAndRefusedRequestsEachInOrder() {
        long head = number(anvil("eth_blockNumber"));
        int forwarded = calls("eth_sendTransaction") + calls("evm_mine") + calls("anvil_setBalance") + calls("foo_bar");
        String batch = "[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"eth_chainId\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_sendTransaction\",\"params\":[{\"from\":\"" + ALICE + "\",\"to\":\"" + BOB
                + "\",\"value\":\"0x1\"}]},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"evm_mine\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_getBalance\",\"params\":[\"" + BOB + "\",\"" + hex(head) + "\"]},"
                + "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"anvil_setBalance\",\"params\":[\"" + BOB + "\",\"0x1\"]},"
                + "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"foo_bar\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":5}]";
        JsonNode a = Rpc.read(post(TestKeys.RPC_READER, "anvil", batch).then().statusCode(200).extract().asString());
        assertEquals(6, a.size(), "one answer per request with an id; the refused notification has none: " + a);
        assertEquals("a", a.get(0).path("id").asText());
        assertEquals("0x7a69", a.get(0).path("result").asText());
        assertEquals(2, a.get(1).path("id").asInt());
        assertRefused(a.get(1), "eth_sendTransaction", "write", "write scope");
        assertEquals(3, a.get(2).path("id").asInt());
        assertEquals(anvil("eth_getBalance", BOB, hex(head)), a.get(2).path("result"));
        assertEquals("x", a.get(3).path("id").asText());
        assertRefused(a.get(3), "anvil_setBalance", "admin", "admin-methods-enabled");
        assertEquals(4, a.get(4).path("id").asInt());
        assertRefused(a.get(4), "foo_bar", "deny", "pgcache.rpc.upstreams.anvil.method-access");
        assertEquals(5, a.get(5).path("id").asInt());
        assertEquals(-32600, a.get(5).path("error").path("code").asInt(), "an invalid request stays -32600");
        assertEquals(head, number(anvil("eth_blockNumber")), "neither the send nor evm_mine happened");
        assertEquals(forwarded, calls("eth_sendTransaction") + calls("evm_mine") + calls("anvil_setBalance") + calls("foo_bar"));
    }

    @Test
    void aWriteKeySendsATransactionButAdministersNothing() {
        BigInteger before = new BigInteger(anvil("eth_getBalance", BOB, "latest").asText().substring(2), 16);
        JsonNode sent = call(TestKeys.RPC_WRITER, "anvil", "eth_sendTransaction", Map.of("from", ALICE, "to", BOB, "value", "0x7"));
        assertFalse(sent.has("error"), sent.toString());
        JsonNode receipt = Rpc.minedReceipt(sent.path("result").asText());
        assertEquals("0x1", receipt.path("status").asText(), "mined on the node: " + receipt);
        assertEquals(before.add(BigInteger.valueOf(7)), new BigInteger(anvil("eth_getBalance", BOB, "latest").asText().substring(2), 16));

        String carol = freshAddress();
        assertRefused(call(TestKeys.RPC_WRITER, "anvil", "anvil_setBalance", carol, "0x1"), "anvil_setBalance", "admin",
                "admin-methods-enabled");
        assertEquals("0x0", anvil("eth_getBalance", carol, "latest").asText());
    }

    @Test
    void adminMethodsNeedTheUpstreamSettingAndTheAdminScope() {
        String carol = freshAddress();
        for (String key : new String[] { TestKeys.RPC_ADMIN, TestKeys.ALL }) {
            assertRefused(call(key, "anvil", "anvil_setBalance", carol, "0x1234"), "anvil_setBalance", "admin",
                    "pgcache.rpc.upstreams.anvil.admin-methods-enabled=true");
        }
        assertEquals("0x0", anvil("eth_getBalance", carol, "latest").asText(), "off on this upstream, even for admin keys");

        assertRefused(call(TestKeys.RPC_WRITER, "anvil-admin", "anvil_setBalance", carol, "0x1234"), "anvil_setBalance", "admin",
                "admin scope, which this API key lacks");
        assertEquals("0x0", adminNode("eth_getBalance", carol, "latest").asText());
        JsonNode set = call(TestKeys.RPC_ADMIN, "anvil-admin", "anvil_setBalance", carol, "0x1234");
        assertFalse(set.has("error"), set.toString());
        assertEquals("0x1234", adminNode("eth_getBalance", carol, "latest").asText(), "on the upstream that enables them, with the admin scope");
    }

    @Test
    void aResetThroughTheProxyStopsServingTheOldChain() {
        adminNode("anvil_mine", "0x60");
        long head = number(adminNode("eth_blockNumber"));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Rpc.metric("pgcache_rpc_finalized{upstream=\"anvil-admin\"}") > 0
                        && Rpc.metric("pgcache_rpc_head{upstream=\"anvil-admin\"}") == head);
        long finalized = number(adminNode("eth_getBlockByNumber", "finalized", false).path("number"));
        String block = request("eth_getBlockByNumber", hex(finalized), false).toString();
        JsonNode old = Rpc.read(post(TestKeys.RPC_READER, "anvil-admin", block).then().statusCode(200).extract().asString());
        post(TestKeys.RPC_READER, "anvil-admin", block).then().statusCode(200).header("X-Cache", "HIT");

        JsonNode snapshot = call(TestKeys.RPC_ADMIN, "anvil-admin", "evm_snapshot");
        assertFalse(snapshot.has("error"), snapshot.toString());
        post(TestKeys.RPC_READER, "anvil-admin", block).then().statusCode(200).header("X-Cache", "HIT"); // a snapshot replaces nothing

        JsonNode reset = call(TestKeys.RPC_ADMIN, "anvil-admin", "anvil_reset");
        assertFalse(reset.has("error"), reset.toString());
        assertEquals(0, number(adminNode("eth_blockNumber")), "the node's chain was reset");
        assertEquals(0, Rows.count("rpc-anvil-admin"), "every cached answer of the old chain is gone when the reset is answered");

        // a new chain up to the same height, whose blocks differ from the old ones (another state)
        adminNode("anvil_setBalance", freshAddress(), "0x5");
        adminNode("anvil_mine", "0x60");
        JsonNode replaced = adminNode("eth_getBlockByNumber", hex(finalized), false);
        assertNotEquals(old.path("result").path("hash"), replaced.path("hash"), "the block at that height is another one now");
        JsonNode now = Rpc.read(post(TestKeys.RPC_READER, "anvil-admin", block).then().statusCode(200).extract().asString());
        assertEquals(replaced, now.path("result"), "the old chain's finalized block is not served");
    }

    @Test
    void withoutAKnownCallerNothingIsForwarded() {
        int versions = calls("web3_clientVersion");
        byte[] body = request("web3_clientVersion").toString().getBytes(StandardCharsets.UTF_8);
        assertRefused(Rpc.read(proxy.handle("anvil", body, null).body()), "web3_clientVersion", "read", "read scope");
        assertRefused(Rpc.read(proxy.handle("anvil", body, Set.of()).body()), "web3_clientVersion", "read", "read scope");
        assertEquals(versions, calls("web3_clientVersion"));
    }
}
