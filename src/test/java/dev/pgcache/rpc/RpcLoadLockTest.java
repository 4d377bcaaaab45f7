package dev.pgcache.rpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pgcache.entry.LoadLocks;
import dev.pgcache.load.LoadSlots;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A cacheable miss of the proxy holds its entry's load lock (the one read-through loads take)
 * while the node answers, and its answer is in the table when the lock ends; the connection it
 * holds is one of the replica's load slots, and with none free the miss goes to the node
 * without the lock instead of waiting for the pool.
 */
@QuarkusTest
class RpcLoadLockTest {

    @Inject
    LoadSlots slots;

    private static String freshAddress() {
        return "0x" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE) + "2".repeat(24);
    }

    private static String body(String address) {
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBalance\",\"params\":[\"" + address + "\",\"0x1\"]}";
    }

    @Test
    void aMissHoldsItsEntrysLoadLockWhileTheNodeAnswers() throws Exception {
        Rpc.anvil("anvil_mine", "0x2"); // block 0x1 exists however the tests are ordered
        String address = freshAddress();
        String key = "eth_getBalance:[\"" + address + "\",\"0x1\"]";
        Rpc.delay("eth_getBalance", 1500);
        // its own thread: a blocked thread of the common pool (one on two cores) would stall the HTTP clients of this JVM
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (Connection c = TestDatabase.connect()) {
            Future<String> answer = caller.submit(() -> Rpc.post("anvil", body(address)).then().statusCode(200).extract().asString());
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(30)).until(() -> lockHeld(c, "rpc-anvil", key));
            assertEquals(0L, ((Number) TestDatabase.scalar(
                    "SELECT count(*) FROM pgcache.cache_entry WHERE namespace = 'rpc-anvil' AND cache_key = ?", key)).longValue(),
                    "not stored while the node has not answered");
            String text = answer.get();
            assertEquals("0x0", Rpc.read(text).path("result").asText(), text);
        } finally {
            Rpc.delay("eth_getBalance", 0);
            caller.shutdownNow();
        }
        try (Connection c = TestDatabase.connect()) {
            assertTrue(!lockHeld(c, "rpc-anvil", key), "the lock ends with the call");
        }
        assertNotNull(TestDatabase.scalar("SELECT version FROM pgcache.cache_entry WHERE namespace = 'rpc-anvil' AND cache_key = ?", key),
                "stored in the lock's transaction");
    }

    @Test
    void withEveryLoadSlotTakenAMissGoesToTheNodeWithoutItsLock() {
        Rpc.anvil("anvil_mine", "0x2"); // block 0x1 exists however the tests are ordered
        int taken = 0;
        while (slots.tryTake()) {
            taken++;
        }
        try {
            assertTrue(taken > 0, "the replica has load slots");
            double unlocked = Rpc.metric("pgcache_rpc_unlocked_total{upstream=\"anvil\"}");
            int calls = Rpc.calls("eth_getBalance");
            JsonNode answer = Rpc.read(Rpc.post("anvil", body(freshAddress())).then().statusCode(200).extract().asString());
            assertEquals("0x0", answer.path("result").asText(), answer.toString());
            assertEquals(calls + 1, Rpc.calls("eth_getBalance"));
            assertEquals(unlocked + 1, Rpc.metric("pgcache_rpc_unlocked_total{upstream=\"anvil\"}"), "sent without its lock");
        } finally {
            for (int i = 0; i < taken; i++) {
                slots.release();
            }
        }
    }

    private static boolean lockHeld(Connection c, String namespace, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND classid = CAST(? AS oid) AND objsubid = 2
                  AND objid = CAST(CAST(hashtext(CAST(? AS text) || '/' || CAST(? AS text)) AS bigint) & 4294967295 AS oid)
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())""")) {
            ps.setInt(1, LoadLocks.LOAD_LOCK_CLASS);
            ps.setString(2, namespace);
            ps.setString(3, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }
}
