package dev.pgcache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/** The method policy and the cache key, without a node: the decisions the proxy's tests rely on. */
class RpcMethodPolicyTest {

    private static final RpcMethodPolicy.Lifetimes LIFETIMES = new RpcMethodPolicy.Lifetimes(Optional.of(Duration.ofDays(1)),
            Optional.empty(), Duration.ofSeconds(5), Duration.ofSeconds(2));
    private static final RpcMethodPolicy.Heads HEADS = new RpcMethodPolicy.Heads(100, 90);
    private final RpcMethodPolicy eth = new RpcMethodPolicy(RpcMethodPolicy.ETHEREUM, Map.of("eth_call", "never", "debug_*", "block:1"), LIFETIMES);

    private static JsonNode json(String s) {
        return Rpc.read(s);
    }

    private Optional<RpcMethodPolicy.Storage> stored(String method, String params, String result) {
        return eth.storageFor(method, json(params), json(result), HEADS);
    }

    @Test
    void blockNumbersDecideTheLifetimeAndTheRevision() {
        assertEquals(Optional.empty(), stored("eth_getBlockByNumber", "[\"0x5a\",false]", "{}").get().lifetime().ttl(), "finalized: no expiry");
        assertEquals(90L, stored("eth_getBlockByNumber", "[\"0x5a\",false]", "{}").get().revision());
        assertEquals(Optional.of(Duration.ofSeconds(5)), stored("eth_getBlockByNumber", "[\"0x5b\",false]", "{}").get().lifetime().ttl());
        assertEquals(91L, stored("eth_getBlockByNumber", "[\"0x5b\",false]", "{}").get().revision());
        assertTrue(stored("eth_getBlockByNumber", "[\"0x65\",false]", "{}").isEmpty(), "above the head: may not exist yet");
        assertTrue(stored("eth_getBlockByNumber", "[\"0x5a\",false]", "null").isEmpty(), "null is never kept");
        assertEquals(Optional.of(Duration.ofSeconds(2)), stored("eth_getBalance", "[\"0xab\"]", "\"0x1\"").get().lifetime().ttl(), "absent: latest");
        assertFalse(eth.cacheable("eth_getBalance", json("[\"0xab\",\"pending\"]")));
        assertEquals(Optional.empty(), stored("eth_getBalance", "[\"0xab\",{\"blockHash\":\"0x" + "a".repeat(64) + "\"}]", "\"0x1\"").get().lifetime().ttl());
        assertEquals(95L, stored("eth_getLogs", "[{\"fromBlock\":\"0x50\",\"toBlock\":\"0x5f\"}]", "[]").get().revision(), "logs: the highest block");
    }

    @Test
    void minedTransactionsOnlyAndNeverAndUnknownMethodsAreNotCached() {
        assertTrue(stored("eth_getTransactionReceipt", "[\"0x1\"]", "{\"blockNumber\":null}").isEmpty());
        assertEquals(80L, stored("eth_getTransactionReceipt", "[\"0x1\"]", "{\"blockNumber\":\"0x50\"}").get().revision());
        assertFalse(eth.cacheable("eth_sendRawTransaction", json("[\"0x00\"]")));
        assertFalse(eth.cacheable("eth_signTypedData_v4", json("[]")));
        assertFalse(eth.cacheable("personal_sign", json("[]")));
        assertFalse(eth.cacheable("eth_call", json("[{},\"0x1\"]")), "overridden to never");
        assertTrue(eth.cacheable("debug_traceBlockByNumber", json("[\"x\",\"0x1\"]")), "a prefix override applies");
        assertFalse(eth.cacheable("debug_traceBlockByNumber", json("[\"x\",\"nonsense\"]")), "not a block: not cached");
        assertFalse(eth.cacheable("some_unknownMethod", json("[]")));
        assertEquals("_other", eth.label("some_unknownMethod"));
        assertEquals("eth_sign*", eth.label("eth_signTypedData_v4"));
        assertEquals("eth_chainId", eth.label("eth_chainId"));
    }

    @Test
    void badRulesAndChainsAreRefusedWithTheMethodNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RpcMethodPolicy(Map.of(), Map.of("eth_foo", "sometimes"), LIFETIMES));
        assertTrue(e.getMessage().startsWith("eth_foo:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RpcMethodPolicy.defaultsOf("bitcoin"));
    }

    @Test
    void theKeyIsMethodAndCanonicalParamsNeverTheId() {
        assertEquals("m:[{\"a\":{\"b\":1,\"c\":[\"X\",\"x\"]},\"z\":true}]",
                RpcJson.cacheKey("m", json("[{\"z\":true,\"a\":{\"c\":[\"X\",\"x\"],\"b\":1}}]"), 512));
        assertEquals("m:[]", RpcJson.cacheKey("m", null, 512));
        String hashed = RpcJson.cacheKey("eth_call", json("[\"" + "f".repeat(600) + "\"]"), 512);
        assertTrue(hashed.matches("eth_call:sha256:[0-9a-f]{64}"), hashed);
        assertEquals("m:[\"5Grw\"]", RpcJson.cacheKey("m", json("[\"5Grw\"]"), 512), "case kept");
    }
}
