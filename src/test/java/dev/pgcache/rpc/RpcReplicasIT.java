package dev.pgcache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pgcache.testing.AnvilTestResource;
import dev.pgcache.testing.PackagedReplicas;
import dev.pgcache.testing.PostgresTestResource;
import dev.pgcache.testing.Replica;

/**
 * Two packaged replicas of the service on one database in front of one Anvil, behind the
 * counting relay, as a user runs them: identical JSON-RPC calls in flight at once, split over the
 * replicas, reach the node once (each replica's in-memory single-flight cannot do that alone: the
 * entry's load lock in the database does), and every caller gets its own id back. The chain view
 * is shared through the database: a re-org detected by one replica invalidates for both, and the
 * replicas agree on the finalized block, which never goes back.
 *
 * <p>Runs in the integration-test phase (Failsafe), after the application is packaged.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RpcReplicasIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static PostgresTestResource database;
    private static AnvilTestResource nodes;
    private static Map<String, String> nodeConfig;
    private static PackagedReplicas replicas;
    private static Replica a;
    private static Replica b;
    private static String jdbcUrl;
    private static String jdbcUser;
    private static String jdbcPassword;

    @BeforeAll
    static void start() throws Exception {
        database = new PostgresTestResource();
        Map<String, String> databaseConfig = database.start();
        nodes = new AnvilTestResource();
        nodeConfig = nodes.start();
        replicas = new PackagedReplicas(databaseConfig);
        Map<String, String> config = new LinkedHashMap<>();
        nodeConfig.forEach((k, v) -> {
            if (!k.startsWith("test.")) {
                config.put(k, v);
            }
        });
        a = replicas.start("rpc-a", config);
        // b polls its node rarely: a re-org is then all but always detected by a, and b must learn it from the database
        Map<String, String> rarely = new LinkedHashMap<>(config);
        rarely.put("pgcache.rpc.head-poll-interval", "5s");
        b = replicas.start("rpc-b", rarely);
        jdbcUrl = databaseConfig.get("quarkus.datasource.jdbc.url");
        if (databaseConfig.containsKey("quarkus.flyway.jdbc-url")) {
            jdbcUrl = databaseConfig.get("quarkus.flyway.jdbc-url"); // straight to PostgreSQL, not through PgBouncer
        }
        jdbcUser = databaseConfig.get("quarkus.datasource.username");
        jdbcPassword = databaseConfig.get("quarkus.datasource.password");
        anvil("anvil_mine", "0x50");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (replicas != null) {
            replicas.close();
        }
        if (nodes != null) {
            nodes.stop();
        }
        if (database != null) {
            database.stop();
        }
    }

    @Test
    @Order(1)
    void aHundredIdenticalCallsOverTwoReplicasReachTheNodeOnce() throws Exception {
        String block = finalizedBlockBelow(5);
        String body = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"eth_getBlockByNumber\",\"params\":[\"" + block + "\",false]}";
        List<HttpResponse<String>> answers = concurrently(100, i -> body);

        assertEquals(1, relayCalls("eth_getBlockByNumber") - callsBefore, "calls of eth_getBlockByNumber that reached the node");
        JsonNode expected = anvil("eth_getBlockByNumber", block, false);
        for (HttpResponse<String> r : answers) {
            assertEquals(200, r.statusCode(), r.body());
            JsonNode answer = JSON.readTree(r.body());
            assertEquals(7, answer.path("id").asInt(), r.body());
            assertEquals(expected, answer.get("result"), r.body());
        }
        String waits = "pgcache_rpc_lock_waits_total{upstream=\"anvil\"}";
        assertTrue(a.metric(waits) + b.metric(waits) >= 1, "one replica waited on the other's load lock");
    }

    @Test
    @Order(2)
    void fiftyCallsWithTheirOwnIdsGetTheirIdsBackAndOneResult() throws Exception {
        String block = finalizedBlockBelow(9);
        List<HttpResponse<String>> answers = concurrently(50,
                i -> "{\"jsonrpc\":\"2.0\",\"id\":\"caller-" + i + "\",\"method\":\"eth_getBlockByNumber\",\"params\":[\"" + block + "\",false]}");

        assertEquals(1, relayCalls("eth_getBlockByNumber") - callsBefore, "calls of eth_getBlockByNumber that reached the node");
        JsonNode expected = anvil("eth_getBlockByNumber", block, false);
        for (int i = 0; i < answers.size(); i++) {
            JsonNode answer = JSON.readTree(answers.get(i).body());
            assertEquals("caller-" + i, answer.path("id").asText(), answers.get(i).body());
            assertEquals(expected, answer.get("result"));
        }
    }

    @Test
    @Order(3)
    void aReorgDetectedByOneReplicaInvalidatesForBoth() throws Exception {
        String snapshot = anvil("evm_snapshot").asText();
        long s = Long.decode(anvil("eth_blockNumber").asText());
        anvil("anvil_mine", "0x3");
        Awaitility.await("both replicas see head " + (s + 3)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> chainOf(a).path("head").asLong() >= s + 3 && chainOf(b).path("head").asLong() >= s + 3);
        String block = "0x" + Long.toHexString(s + 2);
        JsonNode oldBlock = result(a, "eth_getBlockByNumber", block);
        assertEquals(oldBlock, result(b, "eth_getBlockByNumber", block));
        String key = "eth_getBlockByNumber:[\"" + block + "\",false]";
        assertEquals(1L, sql("SELECT count(*) FROM pgcache.cache_entry WHERE namespace = 'rpc-anvil' AND cache_key = ?", key), "cached");
        long generation = sql("SELECT reorg_generation FROM pgcache.rpc_chain WHERE upstream = 'anvil'");
        String reorgs = "pgcache_rpc_reorgs_total{upstream=\"anvil\"}";
        double reorgsBefore = a.metric(reorgs) + b.metric(reorgs);

        assertTrue(anvil("evm_revert", snapshot).asBoolean());
        anvil("anvil_setNextBlockTimestamp", Long.decode(oldBlock.path("timestamp").asText()) + 7); // another block at s + 1
        anvil("anvil_mine", "0x3");
        JsonNode newBlock = anvil("eth_getBlockByNumber", block, false);
        assertNotEquals(oldBlock.path("hash"), newBlock.path("hash"), "the block at that height was replaced");

        Awaitility.await("the re-org is in the shared view").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> sql("SELECT reorg_generation FROM pgcache.rpc_chain WHERE upstream = 'anvil'") > generation);
        assertEquals(0L, sql("SELECT count(*) FROM pgcache.cache_entry WHERE namespace = 'rpc-anvil' AND cache_key = ?", key),
                "the replaced block's cached answer is gone");
        assertEquals(newBlock, result(a, "eth_getBlockByNumber", block));
        assertEquals(newBlock, result(b, "eth_getBlockByNumber", block));
        assertEquals(generation + 1, sql("SELECT reorg_generation FROM pgcache.rpc_chain WHERE upstream = 'anvil'"),
                "one re-org, one generation");
        // b learns the generation on its poll (5 s) and detects nothing itself: the shared hashes are the new chain's.
        // Held over 6 s, past one poll of b, not read once after a blind wait: the counters only grow, so a second
        // detection at any moment of the window fails it
        Awaitility.await("the re-org detected by one replica only, over b's next poll").during(Duration.ofSeconds(6))
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> a.metric(reorgs) + b.metric(reorgs) == reorgsBefore + 1);
    }

    @Test
    @Order(4)
    void replicasAgreeOnWhatIsFinalAndItNeverGoesBack() throws Exception {
        Awaitility.await("both replicas have the shared finalized block").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    long shared = sql("SELECT finalized FROM pgcache.rpc_chain WHERE upstream = 'anvil'");
                    return finalizedOf(a) == shared && finalizedOf(b) == shared;
                });
        // another replica (here: the test) saw a higher finalized block: every replica takes it, and no poll lowers it
        long higher = sql("SELECT finalized FROM pgcache.rpc_chain WHERE upstream = 'anvil'") + 3;
        sql("UPDATE pgcache.rpc_chain SET finalized = ? WHERE upstream = 'anvil' RETURNING finalized", higher);
        Awaitility.await("both replicas take the higher finalized block").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> finalizedOf(a) == higher && finalizedOf(b) == higher);
        // no poll lowers it: held over 6 s, so that b (polling every 5 s) and a (every 200 ms) have polled their node meanwhile
        Awaitility.await("the shared finalized block never goes back, nor either replica's").during(Duration.ofSeconds(6))
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .until(() -> sql("SELECT finalized FROM pgcache.rpc_chain WHERE upstream = 'anvil'") == higher
                        && finalizedOf(a) >= higher && finalizedOf(b) >= higher);
        assertTrue(Long.decode(anvil("eth_getBlockByNumber", "finalized", false).path("number").asText()) < higher, "above the node's own");
    }

    @Test
    @Order(5)
    void aChainReplacedThroughOneReplicaStartsANewEpochForBoth() throws Exception {
        String admin = nodeConfig.get("test.anvil-admin.url");
        Rpc.direct(admin, Rpc.request("anvil_mine", "0x2").toString());
        Awaitility.await("both replicas see block 2 of anvil-admin").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> chainOf(a, "anvil-admin").path("head").asLong() >= 2 && chainOf(b, "anvil-admin").path("head").asLong() >= 2);
        JsonNode oldBlock = result(a, "anvil-admin", "eth_getBlockByNumber", "0x1");
        assertTrue(oldBlock.isObject(), "block 1 exists: " + oldBlock);
        assertEquals(oldBlock, result(b, "anvil-admin", "eth_getBlockByNumber", "0x1"));
        String key = "eth_getBlockByNumber:[\"0x1\",false]";
        assertEquals(1L, sql("SELECT count(*) FROM pgcache.cache_entry WHERE namespace = 'rpc-anvil-admin' AND cache_key = ?", key), "cached");
        long epoch = sql("SELECT epoch FROM pgcache.rpc_chain WHERE upstream = 'anvil-admin'");

        JsonNode reset = Rpc.read(a.send(a.request("/v1/rpc/anvil-admin").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Rpc.request("anvil_reset").toString()))).body());
        assertTrue(reset.has("result"), reset.toString());
        assertTrue(Rpc.direct(admin, Rpc.request("eth_getBlockByNumber", "0x1", false).toString()).get("result").isNull(),
                "the new chain has no block 1");

        assertEquals(epoch + 1, sql("SELECT epoch FROM pgcache.rpc_chain WHERE upstream = 'anvil-admin'"), "one new epoch, shared");
        assertTrue(result(b, "anvil-admin", "eth_getBlockByNumber", "0x1").isNull(), "the other replica serves the new chain");
        assertTrue(result(a, "anvil-admin", "eth_getBlockByNumber", "0x1").isNull());
        assertEquals(0L, sql("SELECT count(*) FROM pgcache.rpc_block_hash WHERE upstream = 'anvil-admin' AND hash = ?",
                oldBlock.path("hash").asText()), "the old chain's hashes are forgotten");
    }

    /** The first column of the statement's first row, as a long. */
    private static long sql(String statement, Object... params) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, jdbcUser, jdbcPassword); PreparedStatement ps = c.prepareStatement(statement)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The result of a call through the replica (fails on a JSON-RPC error). */
    private static JsonNode result(Replica r, String method, String block) throws IOException, InterruptedException {
        return result(r, "anvil", method, block);
    }

    private static JsonNode result(Replica r, String upstream, String method, String block) throws IOException, InterruptedException {
        HttpResponse<String> answer = r.send(r.request("/v1/rpc/" + upstream).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                .ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":[\"" + block + "\",false]}")));
        JsonNode a = JSON.readTree(answer.body());
        assertTrue(a.has("result"), answer.body());
        return a.get("result");
    }

    private static int callsBefore;

    /** A block some way below the finalized one both replicas know (so each treats it as final), not asked for before. */
    private static String finalizedBlockBelow(int below) {
        long finalized = Long.decode(anvil("eth_getBlockByNumber", "finalized", false).path("number").asText());
        assertTrue(finalized > below, "Anvil has a finalized block above " + below + ": " + finalized);
        Awaitility.await("both replicas know block " + finalized + " is final").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> finalizedOf(a) >= finalized && finalizedOf(b) >= finalized);
        callsBefore = relayCalls("eth_getBlockByNumber");
        relayDelay(400);
        return "0x" + Long.toHexString(finalized - below);
    }

    /** {@code n} bodies posted at once, alternately to replica a and b; their answers in order. */
    private static List<HttpResponse<String>> concurrently(int n, java.util.function.IntFunction<String> bodies) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Replica r = i % 2 == 0 ? a : b;
                pending.add(r.sendAsync(r.request("/v1/rpc/anvil").timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(bodies.apply(i)))));
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> p : pending) {
                answers.add(p.get());
            }
            return answers;
        } finally {
            relayDelay(0);
        }
    }

    /** The replica's finalized block of upstream anvil, from /v1/admin/status; -1 while unknown. */
    static long finalizedOf(Replica r) throws IOException, InterruptedException {
        JsonNode f = chainOf(r).path("finalized");
        return f.isNumber() ? f.asLong() : -1;
    }

    /** Upstream anvil's chain as the replica sees it, from /v1/admin/status. */
    static JsonNode chainOf(Replica r) throws IOException, InterruptedException {
        return chainOf(r, "anvil");
    }

    static JsonNode chainOf(Replica r, String upstream) throws IOException, InterruptedException {
        for (JsonNode u : JSON.readTree(r.get("/v1/admin/status").body()).path("upstreams")) {
            if (u.path("name").asText().equals(upstream)) {
                return u;
            }
        }
        throw new AssertionError("no upstream " + upstream + " in /v1/admin/status of " + r.name());
    }

    static int relayCalls(String method) {
        return Integer.parseInt(Rpc.get(nodeConfig.get("test.rpc.relay.url") + "/__calls?method=" + method));
    }

    private static void relayDelay(int ms) {
        Rpc.put(nodeConfig.get("test.rpc.relay.url") + "/__delay?method=eth_getBlockByNumber&ms=" + ms);
    }

    /** The result of one call straight to Anvil, not through the relay. */
    static JsonNode anvil(String method, Object... params) {
        JsonNode a = Rpc.direct(nodeConfig.get("test.anvil.url"), Rpc.request(method, params).toString());
        if (a.has("error")) {
            throw new AssertionError(method + " on Anvil failed: " + a);
        }
        return a.get("result");
    }
}
