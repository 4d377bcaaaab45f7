package dev.pgcache.rpc;

import static dev.pgcache.rpc.Rpc.anvil;
import static dev.pgcache.rpc.Rpc.hex;
import static dev.pgcache.rpc.Rpc.number;
import static dev.pgcache.rpc.Rpc.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * eth_getLogs by block-range chunks, against a real Anvil: two contracts that emit events, a few
 * hundred blocks of them, finalized; then every answer through the proxy is compared with Anvil's
 * own (as JSON arrays), and the counting relay shows which ranges reached the node.
 */
@QuarkusTest
class RpcLogsTest {

    /** The default pgcache.rpc.upstreams.*.logs.chunk-size; the anvil upstream of the tests keeps it. */
    static final long CHUNK = 100;
    static final long MAX_RANGE = 10_000;

    /**
     * Creation code of the test contract, written by hand. The init code copies the runtime code
     * (the 20 bytes after it) into memory and returns it:
     * <pre>
     *   60 14   PUSH1 20      runtime length
     *   80      DUP1
     *   60 0b   PUSH1 11      where the runtime starts in this code
     *   60 00   PUSH1 0
     *   39      CODECOPY      memory[0..20) = code[11..31)
     *   60 00   PUSH1 0
     *   f3      RETURN        memory[0..20): the runtime code
     * </pre>
     * The runtime emits one LOG2 per call: topic0 and topic1 are calldata's first two words, the
     * data is the rest of the calldata:
     * <pre>
     *   60 20 35      CALLDATALOAD(32)            topic1
     *   60 00 35      CALLDATALOAD(0)             topic0
     *   60 40 36 03   CALLDATASIZE - 64           size of the data
     *   80            DUP1
     *   60 40 60 00   PUSH1 64, PUSH1 0
     *   37            CALLDATACOPY                memory[0..size) = calldata[64..)
     *   60 00         PUSH1 0                     offset
     *   a2            LOG2(0, size, topic0, topic1)
     *   00            STOP
     * </pre>
     */
    static final String CREATION = "0x6014" + "80" + "600b" + "6000" + "39" + "6000" + "f3"
            + "602035" + "600035" + "60403603" + "80" + "60406000" + "37" + "6000" + "a2" + "00";

    static final String X = word("aa");
    static final String Y = word("bb");

    /** The chain the tests share, made once: contracts a and b, logs in blocks first..last, all finalized. */
    record Chain(String a, String b, long first, long last) {
    }

    private static Chain chain;

    private static String word(String tail) {
        return "0x" + "0".repeat(64 - tail.length()) + tail;
    }

    /** topic1 of the logs: small numbers, so filters on it select a part of them. */
    static String t1(long i) {
        return word(Long.toHexString(i));
    }

    static synchronized Chain chain() {
        if (chain == null) {
            chain = makeChain(300);
        }
        return chain;
    }

    private static Chain makeChain(int blocks) {
        String a = deploy();
        String b = deploy();
        anvil("evm_setAutomine", false);
        long first;
        try {
            first = number(anvil("eth_blockNumber")) + 1;
            // explicit nonces: Anvil works on the requests of a batch concurrently, and would give two the same one
            long nonce = number(anvil("eth_getTransactionCount", RpcAnvilTest.ALICE, "pending"));
            for (int i = 0; i < blocks; i++) {
                int logs = i % 4; // 0 to 3 logs a block, some blocks with none
                if (logs > 0) {
                    ArrayNode batch = Rpc.JSON.createArrayNode();
                    for (int j = 0; j < logs; j++) {
                        String data = (j % 2 == 0 ? X : Y) + t1(i % 5).substring(2) + word(Integer.toHexString(i)).substring(2);
                        batch.add(request("eth_sendTransaction", Map.of("from", RpcAnvilTest.ALICE, "to", j == 1 ? b : a, "data", data,
                                "nonce", hex(nonce++), "gas", "0x20000")));
                    }
                    JsonNode sent = Rpc.direct(Rpc.url("test.anvil.url"), batch.toString());
                    sent.forEach(r -> assertTrue(r.has("result"), "sent: " + r));
                }
                anvil("evm_mine");
            }
        } finally {
            anvil("evm_setAutomine", true);
        }
        long last = first + blocks - 1;
        anvil("anvil_mine", "0xc8"); // 200 empty blocks: Anvil finalizes 64 below the head, so every block with logs is final
        long head = number(anvil("eth_blockNumber"));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Rpc.metric("pgcache_rpc_head{upstream=\"anvil\"}") == head);
        assertTrue(finalized() >= last, "finalized " + finalized() + ", logs up to " + last);
        return new Chain(a, b, first, last);
    }

    private static String deploy() {
        String tx = anvil("eth_sendTransaction", Map.of("from", RpcAnvilTest.ALICE, "data", CREATION, "gas", "0x100000")).asText();
        JsonNode receipt = Rpc.minedReceipt(tx);
        assertEquals("0x1", receipt.path("status").asText(), "deployed: " + receipt);
        assertEquals("0x" + CREATION.substring(2 + 22), anvil("eth_getCode", receipt.path("contractAddress").asText(), "latest").asText());
        return receipt.path("contractAddress").asText();
    }

    private static long finalized() {
        return (long) Rpc.metric("pgcache_rpc_finalized{upstream=\"anvil\"}");
    }

    /** The last block of the last chunk wholly finalized, as the proxy reckons it. */
    private static long lastChunkEnd() {
        return (finalized() + 1) / CHUNK * CHUNK - 1;
    }

    static ObjectNode filter(long from, long to) {
        return Rpc.JSON.createObjectNode().put("fromBlock", hex(from)).put("toBlock", hex(to));
    }

    /** Asks the proxy and Anvil the same eth_getLogs; the answers must be equal as JSON. Returns the proxy's. */
    static JsonNode same(ObjectNode filter) {
        ObjectNode r = request("eth_getLogs", filter);
        JsonNode proxied = Rpc.proxy("anvil", r);
        JsonNode direct = Rpc.direct(Rpc.url("test.anvil.url"), r.toString());
        assertEquals(direct.get("error"), proxied.get("error"), "error for " + filter);
        assertEquals(direct.get("result"), proxied.get("result"), "logs for " + filter);
        assertEquals(r.get("id").asLong(), proxied.get("id").asLong());
        return proxied;
    }

    /** The ranges of the eth_getLogs that reached the node from the relay's index 'since' on, as "from-to". */
    static List<String> reachedNode(int since) {
        JsonNode all = Rpc.relayed("eth_getLogs");
        List<String> ranges = new ArrayList<>();
        for (int i = since; i < all.size(); i++) {
            JsonNode f = all.get(i).get(0);
            ranges.add(number(f.get("fromBlock")) + "-" + number(f.get("toBlock")));
        }
        return ranges;
    }

    static int relayedSoFar() {
        return Rpc.relayed("eth_getLogs").size();
    }

    /** The chunks a range touches, as "from-to", leaving out those in 'known'. */
    static List<String> chunks(long from, long to, List<String> known) {
        List<String> c = new ArrayList<>();
        for (long s = from / CHUNK * CHUNK; s <= to; s += CHUNK) {
            String r = s + "-" + (s + CHUNK - 1);
            if (!known.contains(r)) {
                c.add(r);
            }
        }
        return c;
    }

    @Test
    void overlappingAndRepeatedWindowsAreAnsweredFromSharedChunksAndEqualTheNodes() {
        Chain c = chain();
        long lastChunk = lastChunkEnd();
        assertTrue(c.last() <= lastChunk, "every block with logs is in a finalized chunk");
        // topics that select every log of the contract, so no other test has asked this filter's chunks
        ObjectNode w1 = filter(c.first() + 5, c.first() + 205).put("address", c.a()).set("topics", Rpc.JSON.createArrayNode().add(X));
        int before = relayedSoFar();
        JsonNode first = same(w1);
        assertTrue(first.get("result").size() > 100, "the window has logs: " + first.get("result").size());
        List<String> fetched = reachedNode(before);
        assertEquals(chunks(c.first() + 5, c.first() + 205, List.of()), fetched, "a cold window: each chunk it touches, once");

        before = relayedSoFar();
        Response again = Rpc.post("anvil", request("eth_getLogs", w1).toString());
        assertEquals("HIT", again.header("X-Cache"));
        assertEquals(first.get("result"), Rpc.read(again.asString()).get("result"));
        assertEquals(List.of(), reachedNode(before), "repeated: nothing reaches the node");

        ObjectNode w2 = filter(c.first() + 150, c.last()).put("address", c.a()).set("topics", Rpc.JSON.createArrayNode().add(X));
        before = relayedSoFar();
        same(w2);
        List<String> newChunks = chunks(c.first() + 150, c.last(), fetched);
        assertEquals(newChunks, reachedNode(before), "overlapping: only the chunks not fetched yet");
        fetched.addAll(newChunks);

        before = relayedSoFar();
        same(filter(c.first() + 99, c.first() + 101).put("address", c.a()).set("topics", Rpc.JSON.createArrayNode().add(X)));
        same(filter(c.first(), c.last()).put("address", c.a()).set("topics", Rpc.JSON.createArrayNode().add(X)));
        assertEquals(List.of(), reachedNode(before), "windows inside fetched chunks: nothing reaches the node");

        // a batch: two windows and a third filter; the missing chunks of all of them go in one call
        int posts = Rpc.posts();
        before = relayedSoFar();
        ObjectNode w3 = filter(c.first() + 7, c.first() + 77).put("address", c.b()).set("topics", Rpc.JSON.createArrayNode().add(Y));
        ArrayNode batch = Rpc.JSON.createArrayNode().add(request("eth_getLogs", w1)).add(request("eth_getLogs", w3))
                .add(request("eth_getLogs", w3));
        JsonNode answers = Rpc.read(Rpc.post("anvil", batch.toString()).then().statusCode(200).extract().asString());
        assertEquals(first.get("result"), answers.get(0).get("result"));
        JsonNode direct = Rpc.direct(Rpc.url("test.anvil.url"), request("eth_getLogs", w3).toString());
        assertEquals(direct.get("result"), answers.get(1).get("result"));
        assertEquals(direct.get("result"), answers.get(2).get("result"));
        assertEquals(chunks(c.first() + 7, c.first() + 77, List.of()), reachedNode(before), "each missing chunk once");
        assertEquals(posts + 1, Rpc.posts(), "in one call to the node");

        // stored with the chunk's last block as revision, never expiring (finalized)
        String chunk = fetched.get(0);
        long from = Long.parseLong(chunk.split("-")[0]);
        long to = Long.parseLong(chunk.split("-")[1]);
        String key = "eth_getLogs:[{\"address\":\"" + c.a() + "\",\"fromBlock\":\"" + hex(from) + "\",\"toBlock\":\"" + hex(to)
                + "\",\"topics\":[\"" + X + "\"]}]";
        assertEquals(to, ((Number) TestDatabase.scalar(
                "SELECT revision FROM pgcache.cache_entry WHERE namespace = 'rpc-anvil' AND cache_key = ?", key)).longValue());
        assertEquals(null, TestDatabase.scalar("SELECT expires_at FROM pgcache.cache_entry WHERE namespace = 'rpc-anvil' AND cache_key = ?", key));
        assertTrue(Rpc.metric("pgcache_rpc_log_chunks_total{cache=\"hit\",upstream=\"anvil\"}") > 0);
        assertTrue(Rpc.metric("pgcache_rpc_log_chunks_total{cache=\"miss\",upstream=\"anvil\"}") >= fetched.size());
    }

    @Test
    void aRangePastFinalityTakesTheFinalChunksFromTheCacheAndTheRestFromTheNode() {
        Chain c = chain();
        anvil("anvil_mine", "0x3");
        long head = number(anvil("eth_blockNumber"));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Rpc.metric("pgcache_rpc_head{upstream=\"anvil\"}") == head);
        long lastChunk = lastChunkEnd();
        assertTrue(lastChunk < head && lastChunk > c.first(), "finalized chunks up to " + lastChunk + ", head " + head);
        // warm the finalized chunks of a filter
        int before = relayedSoFar();
        same(filter(c.first(), lastChunk).put("address", c.b()));
        List<String> warmed = reachedNode(before);
        assertEquals(chunks(c.first(), lastChunk, List.of()), warmed);

        // past finality: the chunks from the cache, the rest (above the last finalized chunk) from the node in one request
        before = relayedSoFar();
        JsonNode answer = same(filter(c.first() + 40, head).put("address", c.b()));
        assertEquals(List.of((lastChunk + 1) + "-" + head), reachedNode(before));
        assertTrue(answer.get("result").size() > 0);
        // the rest is not stored: asked again, the chunks come from the cache and the rest from the node again
        before = relayedSoFar();
        same(filter(c.first() + 40, head).put("address", c.b()));
        assertEquals(List.of((lastChunk + 1) + "-" + head), reachedNode(before), "the rest is asked of the node each time");
        assertEquals(0L, ((Number) TestDatabase.scalar("SELECT count(*) FROM pgcache.cache_entry WHERE namespace = 'rpc-anvil' AND cache_key = ?",
                RpcJson.cacheKey(LogChunks.METHOD, Rpc.JSON.createArrayNode().add(filter(lastChunk + 1, head).put("address", c.b())), 4096)))
                .longValue(), "no entry for the rest");

        // and with logs in the rest: a log mined at the head, after the finalized chunks
        String tx = anvil("eth_sendTransaction", Map.of("from", RpcAnvilTest.ALICE, "to", c.b(), "data", X + t1(9).substring(2))).asText();
        long newHead = number(Rpc.minedReceipt(tx).get("blockNumber"));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Rpc.metric("pgcache_rpc_head{upstream=\"anvil\"}") == newHead);
        long lastChunkNow = lastChunkEnd();
        before = relayedSoFar();
        JsonNode withHead = same(filter(c.first() + 40, newHead).put("address", c.b()));
        JsonNode logs = withHead.get("result");
        assertEquals(hex(newHead), logs.get(logs.size() - 1).get("blockNumber").asText(), "the head's log comes last");
        List<String> reached = reachedNode(before);
        assertEquals((lastChunkNow + 1) + "-" + newHead, reached.get(reached.size() - 1), "the rest: one request, last");
        assertEquals(chunks(c.first() + 40, lastChunkNow, warmed), reached.subList(0, reached.size() - 1),
                "before it, only chunks not cached yet (when finality crossed a chunk's end)");
    }

    @Test
    void aRangeOverMaxRangeIsRefusedBeforeTheNode() {
        Chain c = chain();
        int posts = Rpc.posts();
        JsonNode refused = Rpc.proxy("anvil", request("eth_getLogs", filter(0, MAX_RANGE).put("address", c.a())));
        assertEquals(-32005, refused.path("error").path("code").asInt(), refused.toString());
        assertTrue(refused.path("error").path("message").asText().contains("10001 blocks exceeds the limit of 10000 blocks"), refused.toString());
        assertTrue(refused.path("error").path("message").asText().contains("Try with this block range [0x0, 0x270f]"), refused.toString());
        assertEquals("0x270f", refused.path("error").path("data").path("to").asText());
        assertEquals(10000, refused.path("error").path("data").path("limit").asLong());
        // in a batch, the refused one alone; the other is answered
        ObjectNode ok = filter(c.first(), c.first() + 10).put("address", c.a());
        JsonNode batch = Rpc.read(Rpc.post("anvil", Rpc.JSON.createArrayNode().add(request("eth_getLogs", filter(5, 5 + MAX_RANGE)))
                .add(request("eth_getLogs", ok)).toString()).then().statusCode(200).extract().asString());
        assertEquals(-32005, batch.get(0).path("error").path("code").asInt());
        assertEquals(Rpc.direct(Rpc.url("test.anvil.url"), request("eth_getLogs", ok).toString()).get("result"), batch.get(1).get("result"));
        int afterBatch = Rpc.posts();
        assertTrue(afterBatch <= posts + 1, "only the accepted query may reach the node");
        for (JsonNode p : Rpc.relayed("eth_getLogs")) {
            JsonNode f = p.get(0);
            if (f.has("fromBlock") && f.has("toBlock") && f.get("fromBlock").asText().startsWith("0x") && f.get("toBlock").asText().startsWith("0x")) {
                assertTrue(number(f.get("toBlock")) - number(f.get("fromBlock")) < MAX_RANGE, "reached the node: " + f);
            }
        }
        // an invalid range (fromBlock above toBlock) is the node's to answer, as before
        int before = relayedSoFar();
        JsonNode inverted = same(filter(c.first() + 10, c.first()).put("address", c.a()));
        assertNotNull(inverted);
        assertEquals(1, reachedNode(before).size());
    }

    @Test
    void addressAndTopicFiltersEqualTheNodes() {
        Chain c = chain();
        long from = c.first() + 3;
        long to = c.last() - 2;
        List<ObjectNode> filters = new ArrayList<>();
        filters.add(filter(from, to));
        filters.add(filter(from, to).put("address", c.a()));
        filters.add(filter(from, to).put("address", c.b().toUpperCase().replace("0X", "0x")));
        filters.add(filter(from, to).set("address", Rpc.JSON.createArrayNode().add(c.a()).add(c.b())));
        filters.add(filter(from, to).set("topics", Rpc.JSON.createArrayNode()));
        filters.add(filter(from, to).set("topics", Rpc.JSON.createArrayNode().add(X)));
        filters.add(filter(from, to).set("topics", Rpc.JSON.createArrayNode().add(Rpc.JSON.createArrayNode().add(X).add(Y))));
        filters.add(filter(from, to).set("topics", Rpc.JSON.createArrayNode().addNull().add(t1(2))));
        filters.add(filter(from, to).put("address", c.a())
                .set("topics", Rpc.JSON.createArrayNode().add(X).add(Rpc.JSON.createArrayNode().add(t1(1)).add(t1(3)))));
        filters.add(filter(from, to).put("address", c.b()).set("topics", Rpc.JSON.createArrayNode().add(Y).addNull()));
        filters.add(filter(from, to).set("topics", Rpc.JSON.createArrayNode().add(word("cc"))));
        List<Integer> sizes = new ArrayList<>();
        for (ObjectNode f : filters) {
            JsonNode logs = same(f).get("result");
            sizes.add(logs.size());
            int before = relayedSoFar();
            assertEquals(logs, same(f).get("result"), "asked again: " + f);
            assertEquals(List.of(), reachedNode(before), "asked again, from the cache: " + f);
        }
        assertTrue(sizes.get(0) > sizes.get(1) && sizes.get(1) > 0 && sizes.get(7) > 0 && sizes.get(8) > 0 && sizes.get(10) == 0,
                "the filters select different logs: " + sizes);
        assertEquals(sizes.get(0), sizes.get(3), "both contracts: every log");
    }

    /** docs/rpc.md, "Fidelity": a cached answer is the node's answer as a JSON value, whatever its bytes. */
    @Test
    void cachedAnswersEqualTheNodesAsJsonValues() {
        Chain c = chain();
        long n = c.first() + 3; // 3 % 4 = 3 transactions, each with a log
        String block = hex(n);
        JsonNode full = anvil("eth_getBlockByNumber", block, true);
        assertEquals(3, full.get("transactions").size());
        String tx = full.get("transactions").get(1).get("hash").asText();
        Object[][] calls = { { "eth_getBlockByNumber", block, true }, { "eth_getTransactionReceipt", tx },
                { "eth_getBlockReceipts", block }, { "eth_getLogs", Map.of("blockHash", full.get("hash").asText()) } };
        for (Object[] call : calls) {
            String method = (String) call[0];
            Object[] params = java.util.Arrays.copyOfRange(call, 1, call.length);
            ObjectNode r = request(method, params);
            JsonNode node = Rpc.direct(Rpc.url("test.anvil.url"), r.toString()).get("result");
            Rpc.post("anvil", r.toString()).then().statusCode(200);
            Response cached = Rpc.post("anvil", request(method, params).toString());
            assertEquals("HIT", cached.header("X-Cache"), method);
            JsonNode fromCache = Rpc.read(cached.asString()).get("result");
            assertEquals(node, fromCache, method + ": the cached answer is the node's as a JSON value");
            assertTrue(node.toString().contains("logs") || method.equals("eth_getBlockByNumber") || node.size() > 0, method);
        }
    }
}
