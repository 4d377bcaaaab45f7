package dev.pgcache.rpc;

import static dev.pgcache.rpc.Rpc.substrateCalls;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Substrate policy, against {@link dev.pgcache.testing.FakeSubstrateNode} (a loopback stand-in:
 * no Substrate node can be installed from npm): block hashes by number and blocks and storage by
 * hash are cached, head calls briefly, author_* never; a re-org invalidates unfinalized hashes.
 */
@QuarkusTest
class RpcSubstrateTest {

    private static String url() {
        return Rpc.url("test.substrate.url");
    }

    private static void head(long n) {
        Rpc.put(url() + "/__head?n=" + n);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Rpc.metric("pgcache_rpc_head{upstream=\"substrate\"}") == n);
    }

    @Test
    void blocksAndStorageByHashAndHashesByNumberAreCachedAuthorNever() {
        head(200);
        JsonNode hash = Rpc.proxyResult("substrate", "chain_getBlockHash", 150);
        assertEquals(hash, Rpc.direct(url(), Rpc.request("chain_getBlockHash", 150).toString()).get("result"));
        for (Object[] call : new Object[][] { { "chain_getBlockHash", 150 }, { "chain_getBlock", hash.asText() },
                { "chain_getHeader", hash.asText() }, { "state_getStorage", "0x26aa394eea5630e07c48ae0c9558cef7", hash.asText() },
                { "system_chain" } }) {
            String method = (String) call[0];
            Object[] params = java.util.Arrays.copyOfRange(call, 1, call.length);
            JsonNode first = Rpc.proxyResult("substrate", method, params);
            assertEquals(Rpc.direct(url(), Rpc.request(method, params).toString()).get("result"), first, method);
            int before = substrateCalls(method);
            assertEquals(first, Rpc.proxyResult("substrate", method, params));
            assertEquals(before, substrateCalls(method), method + " asked again came from the cache");
        }
        assertEquals(null, TestDatabase.scalar("SELECT expires_at FROM pgcache.cache_entry WHERE namespace = 'rpc-substrate' AND cache_key = ?",
                "chain_getBlockHash:[150]"), "block 150 is finalized (head 200, finalized 198): kept without expiry");

        int submits = substrateCalls("author_submitExtrinsic");
        JsonNode a = Rpc.proxyResult("substrate", "author_submitExtrinsic", "0x2d0284");
        JsonNode b = Rpc.proxyResult("substrate", "author_submitExtrinsic", "0x2d0284");
        assertNotEquals(a, b);
        assertEquals(submits + 2, substrateCalls("author_submitExtrinsic"), "author_* is never cached");

        JsonNode finalized = Rpc.proxyResult("substrate", "chain_getFinalizedHead");
        assertEquals(Rpc.direct(url(), Rpc.request("chain_getFinalizedHead").toString()).get("result"), finalized);
        int heads = substrateCalls("chain_getFinalizedHead");
        Rpc.post("substrate", Rpc.request("chain_getFinalizedHead").toString()).then().statusCode(200).header("X-Cache", "HIT");
        assertEquals(heads, substrateCalls("chain_getFinalizedHead"), "a head call is cached for head-ttl");
    }

    @Test
    void aReorgInvalidatesUnfinalizedBlockHashes() {
        head(300);
        JsonNode old = Rpc.proxyResult("substrate", "chain_getBlockHash", 299);
        JsonNode finalizedOld = Rpc.proxyResult("substrate", "chain_getBlockHash", 250);
        int before = substrateCalls("chain_getBlockHash");
        assertEquals(old, Rpc.proxyResult("substrate", "chain_getBlockHash", 299));
        assertEquals(before, substrateCalls("chain_getBlockHash"), "cached before the re-org");
        Rpc.put(url() + "/__fork?from=299");
        JsonNode replaced = Rpc.direct(url(), Rpc.request("chain_getBlockHash", 299).toString()).get("result");
        assertNotEquals(old, replaced);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertEquals(replaced, Rpc.proxyResult("substrate", "chain_getBlockHash", 299)));
        int after = substrateCalls("chain_getBlockHash");
        assertEquals(finalizedOld, Rpc.proxyResult("substrate", "chain_getBlockHash", 250));
        assertEquals(after, substrateCalls("chain_getBlockHash"), "finalized answers stay cached through the re-org");
    }
}
