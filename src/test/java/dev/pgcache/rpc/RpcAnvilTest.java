package dev.pgcache.rpc;

import static dev.pgcache.rpc.Rpc.anvil;
import static dev.pgcache.rpc.Rpc.calls;
import static dev.pgcache.rpc.Rpc.hex;
import static dev.pgcache.rpc.Rpc.number;
import static dev.pgcache.rpc.Rpc.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pgcache.testing.Rows;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The proxy in front of a real Anvil node: the same answers as the node for every method of the
 * Ethereum policy that Anvil serves, repeated calls answered without the node, transactions never
 * cached and their receipts cached once mined, finality, re-orgs and coalescing.
 */
@QuarkusTest
class RpcAnvilTest {

    /** Anvil's first two prefunded accounts (its well-known test mnemonic). */
    static final String ALICE = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    static final String BOB = "0x70997970c51812dc3a010c7d01b50e20d4a3c79c";

    private static long head() {
        return number(anvil("eth_blockNumber"));
    }

    private static String send(String from, String to) {
        return Rpc.proxyResult("anvil", "eth_sendTransaction", Map.of("from", from, "to", to, "value", "0x1")).asText();
    }

    /** Waits until pgcache's chain tracker has seen this head, so policy decisions use it. */
    private static void awaitTrackerHead(long head) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Rpc.metric("pgcache_rpc_head{upstream=\"anvil\"}") == head);
    }

    /** Asks the proxy and Anvil the same; they must agree (without the id), and a second ask must agree too. */
    private static JsonNode same(String method, Object... params) {
        ObjectNode r = request(method, params);
        JsonNode proxied = Rpc.proxy("anvil", r);
        JsonNode direct = Rpc.direct(Rpc.url("test.anvil.url"), r.toString());
        assertEquals(direct.get("result"), proxied.get("result"), method + " result");
        assertEquals(direct.get("error"), proxied.get("error"), method + " error");
        assertEquals(r.get("id").asLong(), proxied.get("id").asLong());
        JsonNode again = Rpc.proxy("anvil", request(method, params));
        assertEquals(direct.get("result"), again.get("result"), method + " result, asked again");
        return proxied;
    }

    @Test
    void proxiedAnswersEqualDirectAnswersAndRepeatsComeFromTheCache() {
        Rows.clear("rpc-anvil"); // head answers cached by earlier tests may be about an older head
        String tx = send(ALICE, BOB);
        Rpc.minedReceipt(tx);
        long n = head();
        awaitTrackerHead(n);
        JsonNode block = anvil("eth_getBlockByNumber", hex(n), false);
        String hash = block.path("hash").asText();
        Object[][] cached = {
                { "eth_chainId" }, { "net_version" }, { "web3_clientVersion" },
                { "eth_getBlockByNumber", hex(n), false }, { "eth_getBlockByNumber", hex(n), true },
                { "eth_getBlockByNumber", "latest", false }, { "eth_getBlockByNumber", "earliest", false },
                { "eth_getBlockByHash", hash, false }, { "eth_getBlockByHash", hash, true },
                { "eth_getBlockTransactionCountByNumber", hex(n) }, { "eth_getBlockTransactionCountByHash", hash },
                { "eth_getTransactionByBlockNumberAndIndex", hex(n), "0x0" }, { "eth_getTransactionByBlockHashAndIndex", hash, "0x0" },
                { "eth_getUncleCountByBlockNumber", hex(n) }, { "eth_getUncleCountByBlockHash", hash },
                { "eth_getBlockReceipts", hex(n) },
                { "eth_getBalance", ALICE, hex(n) }, { "eth_getBalance", BOB, "latest" }, { "eth_getBalance", BOB, Map.of("blockHash", hash) },
                { "eth_getCode", ALICE, hex(n) }, { "eth_getTransactionCount", ALICE, hex(n) }, { "eth_getStorageAt", ALICE, "0x0", hex(n) },
                { "eth_call", Map.of("from", ALICE, "to", BOB, "data", "0x"), hex(n) }, { "eth_getProof", ALICE, List.of(), hex(n) },
                { "eth_feeHistory", "0x1", hex(n), List.of(50) },
                { "eth_getLogs", Map.of("fromBlock", hex(n), "toBlock", hex(n)) }, { "eth_getLogs", Map.of("blockHash", hash) },
                { "eth_getTransactionByHash", tx }, { "eth_getTransactionReceipt", tx },
                { "eth_blockNumber" }, { "eth_gasPrice" }, { "eth_maxPriorityFeePerGas" }, { "eth_syncing" }, { "net_listening" },
                { "eth_blobBaseFee" } };
        List<String> notCached = new ArrayList<>();
        for (Object[] call : cached) {
            String method = (String) call[0];
            Object[] params = java.util.Arrays.copyOfRange(call, 1, call.length);
            JsonNode answer = same(method, params);
            assertTrue(answer.has("result"), method + " answered " + answer);
            int before = calls(method);
            JsonNode third = Rpc.proxy("anvil", request(method, params));
            assertEquals(answer.get("result"), third.get("result"));
            if (calls(method) != before) {
                notCached.add(method + java.util.Arrays.toString(params));
            }
        }
        assertTrue(notCached.isEmpty(), "asked again, these reached the node: " + notCached);

        // never cached: accounts and sending; estimateGas; pending state
        for (Object[] call : new Object[][] { { "eth_accounts" }, { "eth_estimateGas", Map.of("from", ALICE, "to", BOB) },
                { "eth_getTransactionCount", ALICE, "pending" } }) {
            String method = (String) call[0];
            Object[] params = java.util.Arrays.copyOfRange(call, 1, call.length);
            int before = calls(method);
            same(method, params);
            assertEquals(before + 2, calls(method), method + " is passed through each time");
        }
    }

    @Test
    void transactionsAreNeverCachedAndReceiptsAreCachedOnceMined() {
        anvil("evm_setAutomine", false);
        try {
            int sends = calls("eth_sendTransaction");
            String first = send(ALICE, BOB);
            String second = send(ALICE, BOB);
            assertNotEquals(first, second, "the same send twice is two transactions: it was not answered from the cache");
            assertEquals(sends + 2, calls("eth_sendTransaction"));

            int receipts = calls("eth_getTransactionReceipt");
            assertTrue(Rpc.proxyResult("anvil", "eth_getTransactionReceipt", first).isNull(), "pending: no receipt yet");
            assertTrue(Rpc.proxyResult("anvil", "eth_getTransactionReceipt", first).isNull());
            assertEquals(receipts + 2, calls("eth_getTransactionReceipt"), "a missing receipt is not cached");
            int txs = calls("eth_getTransactionByHash");
            assertTrue(Rpc.proxyResult("anvil", "eth_getTransactionByHash", first).path("blockNumber").isNull(), "pending");
            Rpc.proxyResult("anvil", "eth_getTransactionByHash", first);
            assertEquals(txs + 2, calls("eth_getTransactionByHash"), "a pending transaction is not cached");

            anvil("evm_mine");
            awaitTrackerHead(head());
            JsonNode receipt = same("eth_getTransactionReceipt", first);
            assertNotNull(receipt.get("result").get("blockNumber"));
            same("eth_getTransactionByHash", first);
            int after = calls("eth_getTransactionReceipt") + calls("eth_getTransactionByHash");
            Rpc.proxyResult("anvil", "eth_getTransactionReceipt", first);
            Rpc.proxyResult("anvil", "eth_getTransactionByHash", first);
            assertEquals(after, calls("eth_getTransactionReceipt") + calls("eth_getTransactionByHash"), "mined: from the cache");
        } finally {
            anvil("evm_setAutomine", true);
        }
    }

    @Test
    void finalizedBlocksNeverExpireUnfinalizedOnesDoAndFutureOnesAreNotCached() {
        anvil("anvil_mine", "0x50");
        long h = head();
        awaitTrackerHead(h);
        long finalized = number(anvil("eth_getBlockByNumber", "finalized", false).path("number"));
        assertTrue(finalized < h - 10, "Anvil finalizes " + finalized + " of " + h);
        long old = finalized - 3;
        long recent = h - 1;
        Rpc.proxyResult("anvil", "eth_getBlockByNumber", hex(old), false);
        Rpc.proxyResult("anvil", "eth_getBlockByNumber", hex(recent), false);
        assertNull(TestDatabase.scalar("SELECT expires_at FROM pgcache.cache_entry WHERE namespace = 'rpc-anvil' AND cache_key = ?",
                "eth_getBlockByNumber:[\"" + hex(old) + "\",false]"), "finalized: no expiry");
        assertEquals(old, ((Number) TestDatabase.scalar("SELECT revision FROM pgcache.cache_entry WHERE namespace = 'rpc-anvil' AND cache_key = ?",
                "eth_getBlockByNumber:[\"" + hex(old) + "\",false]")).longValue());
        assertNotNull(TestDatabase.scalar("SELECT expires_at FROM pgcache.cache_entry WHERE namespace = 'rpc-anvil' AND cache_key = ?",
                "eth_getBlockByNumber:[\"" + hex(recent) + "\",false]"), "unfinalized: expires");

        int before = calls("eth_getBlockByNumber");
        assertTrue(Rpc.proxyResult("anvil", "eth_getBlockByNumber", hex(h + 1000), false).isNull());
        assertTrue(Rpc.proxyResult("anvil", "eth_getBlockByNumber", hex(h + 1000), false).isNull());
        assertEquals(before + 2, calls("eth_getBlockByNumber"), "a block that does not exist yet is not cached");
    }

    @Test
    void aReorgInvalidatesTheCachedBlocksItReplaced() {
        String snapshot = anvil("evm_snapshot").asText();
        long s = head();
        anvil("anvil_mine", "0x3");
        awaitTrackerHead(s + 3);
        JsonNode oldBlock = Rpc.proxyResult("anvil", "eth_getBlockByNumber", hex(s + 2), false);
        JsonNode oldBalance = Rpc.proxyResult("anvil", "eth_getBalance", BOB, hex(s + 2));
        int before = calls("eth_getBlockByNumber");
        assertEquals(oldBlock, Rpc.proxyResult("anvil", "eth_getBlockByNumber", hex(s + 2), false));
        assertEquals(before, calls("eth_getBlockByNumber"), "cached before the re-org");
        double reorgs = Rpc.metric("pgcache_rpc_reorgs_total{upstream=\"anvil\"}");

        assertTrue(anvil("evm_revert", snapshot).asBoolean());
        Rpc.minedReceipt(anvil("eth_sendTransaction", Map.of("from", ALICE, "to", BOB, "value", "0x5")).asText());
        anvil("anvil_mine", "0x2");
        assertEquals(s + 3, head());
        JsonNode newBlock = anvil("eth_getBlockByNumber", hex(s + 2), false);
        assertNotEquals(oldBlock.path("hash"), newBlock.path("hash"), "the block at that height was replaced");

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertEquals(newBlock, Rpc.proxyResult("anvil", "eth_getBlockByNumber", hex(s + 2), false)));
        assertEquals(anvil("eth_getBalance", BOB, hex(s + 2)), Rpc.proxyResult("anvil", "eth_getBalance", BOB, hex(s + 2)));
        assertNotEquals(oldBalance, anvil("eth_getBalance", BOB, hex(s + 2)));
        assertTrue(Rpc.metric("pgcache_rpc_reorgs_total{upstream=\"anvil\"}") > reorgs, "the re-org was counted");
    }

    @Test
    void identicalRequestsInFlightMakeOneCallAndEachCallerGetsItsOwnId() throws Exception {
        String address = "0x" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE) + "0".repeat(24);
        int callers = 6;
        int before = calls("eth_getBalance");
        Rpc.delay("eth_getBalance", 1500);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                String id = "caller-" + i;
                answers.add(pool.submit(() -> {
                    go.await();
                    return Rpc.read(Rpc.post("anvil", "{\"jsonrpc\":\"2.0\",\"id\":\"" + id + "\",\"method\":\"eth_getBalance\",\"params\":[\""
                            + address + "\",\"0x1\"]}").then().statusCode(200).extract().asString());
                }));
            }
            go.countDown();
            for (int i = 0; i < callers; i++) {
                JsonNode a = answers.get(i).get();
                assertEquals("caller-" + i, a.path("id").asText());
                assertEquals("0x0", a.path("result").asText());
            }
        } finally {
            Rpc.delay("eth_getBalance", 0);
            pool.shutdownNow();
        }
        assertEquals(before + 1, calls("eth_getBalance"), "one call to the node for all identical requests");
    }

    @Test
    void theMissesOfABatchGoUpAsOneBatch() {
        long h = head();
        awaitTrackerHead(h);
        StringBuilder batch = new StringBuilder("[{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"eth_chainId\"}");
        for (int i = 1; i <= 3; i++) {
            String address = "0x" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE) + "1".repeat(24);
            batch.append(",{\"jsonrpc\":\"2.0\",\"id\":").append(i).append(",\"method\":\"eth_getBalance\",\"params\":[\"").append(address)
                    .append("\",\"").append(hex(h)).append("\"]}");
        }
        String body = batch.append("]").toString();
        Rpc.proxyResult("anvil", "eth_chainId");
        int posts = Rpc.posts();
        JsonNode first = Rpc.read(Rpc.post("anvil", body).then().statusCode(200).extract().asString());
        assertEquals(4, first.size());
        assertEquals(posts + 1, Rpc.posts(), "three misses, one post to the node");
        JsonNode second = Rpc.read(Rpc.post("anvil", body).then().statusCode(200).extract().asString());
        assertEquals(first, second);
        assertEquals(posts + 1, Rpc.posts(), "all hits the second time");
        assertEquals(Rpc.direct(Rpc.url("test.anvil.url"), body), first);
    }
}
