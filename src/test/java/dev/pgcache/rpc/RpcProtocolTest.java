package dev.pgcache.rpc;

import static dev.pgcache.rpc.Rpc.post;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** JSON-RPC 2.0 as the spec says it, through the proxy to a real Anvil node. */
@QuarkusTest
class RpcProtocolTest {

    private static final String CHAIN_ID = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\",\"params\":[],\"id\":%s}";

    private static JsonNode answer(Response r) {
        return Rpc.read(r.then().statusCode(200).contentType("application/json").extract().asString());
    }

    @Test
    void idsOfEveryKindComeBackUnchanged() {
        String[] ids = { "1", "0", "-7", "\"abc\"", "\"\"", "\"ID with CASE and ünïcode\"", "null", "1.5", "1.50", "2.0",
                "1180591620717411303424", "123456789012345678901234567890.000000000000000000001", "1e3" };
        for (String id : ids) {
            String body = answer(post("anvil", CHAIN_ID.formatted(id))).toString();
            String text = post("anvil", CHAIN_ID.formatted(id)).then().statusCode(200).extract().asString();
            assertTrue(text.contains("\"id\":" + canonicalId(id)), "id " + id + " echoed exactly in " + text);
            assertEquals("0x7a69", Rpc.read(body).path("result").asText());
        }
    }

    /** Numbers go back with their digits; only 1e3 is spelled by the writer as 1E+3 (the same JSON number). */
    private static String canonicalId(String id) {
        return id.equals("1e3") ? "1E+3" : id;
    }

    @Test
    void aBatchAnswersEachRequestWithItsOwnIdInOrder() {
        JsonNode a = answer(post("anvil", "[" + CHAIN_ID.formatted("\"x\"") + "," + CHAIN_ID.formatted("7") + ","
                + "{\"jsonrpc\":\"2.0\",\"method\":\"net_version\",\"id\":null}]"));
        assertEquals(3, a.size());
        assertEquals("x", a.get(0).path("id").asText());
        assertEquals(7, a.get(1).path("id").asInt());
        assertTrue(a.get(2).path("id").isNull());
        assertEquals("31337", a.get(2).path("result").asText());
    }

    @Test
    void notificationsGetNoAnswerButReachTheNode() {
        int before = Rpc.calls("web3_clientVersion");
        post("anvil", "{\"jsonrpc\":\"2.0\",\"method\":\"web3_clientVersion\",\"params\":[]}").then().statusCode(204);
        JsonNode batch = answer(post("anvil", "[{\"jsonrpc\":\"2.0\",\"method\":\"web3_clientVersion\"}," + CHAIN_ID.formatted("5") + "]"));
        assertEquals(1, batch.size(), "one answer: the notification has none");
        assertEquals(5, batch.get(0).path("id").asInt());
        post("anvil", "[{\"jsonrpc\":\"2.0\",\"method\":\"web3_clientVersion\"},{\"jsonrpc\":\"2.0\",\"method\":\"web3_clientVersion\"}]")
                .then().statusCode(204).body(equalTo(""));
        assertEquals(before + 4, Rpc.calls("web3_clientVersion"), "every notification was forwarded");
    }

    @Test
    void parseErrorHasIdNull() {
        for (String body : new String[] { "{\"jsonrpc\":\"2.0\",\"method\"", "not json", "", "[1,2", "{} {}" }) {
            JsonNode a = answer(post("anvil", body));
            assertEquals(-32700, a.path("error").path("code").asInt(), body);
            assertTrue(a.has("id") && a.get("id").isNull(), body);
        }
    }

    @Test
    void invalidRequestsAreAnsweredEachInsideABatch() {
        JsonNode a = answer(post("anvil", "[1, " + CHAIN_ID.formatted("2") + ", {\"foo\":\"bar\"},"
                + "{\"jsonrpc\":\"1.0\",\"method\":\"eth_chainId\",\"id\":3},"
                + "{\"jsonrpc\":\"2.0\",\"method\":5,\"id\":4},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\",\"params\":\"x\",\"id\":5},"
                + "{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\",\"id\":{\"no\":1}}]"));
        assertEquals(7, a.size());
        assertEquals(-32600, a.get(0).path("error").path("code").asInt());
        assertTrue(a.get(0).get("id").isNull());
        assertEquals("0x7a69", a.get(1).path("result").asText());
        for (int i = 2; i < 7; i++) {
            assertEquals(-32600, a.get(i).path("error").path("code").asInt(), a.get(i).toString());
        }
        assertEquals(3, a.get(3).path("id").asInt(), "a valid id is echoed on an invalid request");
        assertTrue(a.get(6).get("id").isNull(), "an invalid id becomes null");
        answer(post("anvil", "{\"jsonrpc\":\"2.0\",\"id\":1}")).path("error").path("code").asInt();
        assertEquals(-32600, answer(post("anvil", "{\"jsonrpc\":\"2.0\",\"id\":1}")).path("error").path("code").asInt());
    }

    @Test
    void anEmptyBatchIsOneInvalidRequest() {
        JsonNode a = answer(post("anvil", "[]"));
        assertTrue(a.isObject());
        assertEquals(-32600, a.path("error").path("code").asInt());
        assertTrue(a.get("id").isNull());
    }

    @Test
    void aBatchOverTheLimitIsRefusedWithProblemJson() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 21; i++) {
            b.append(i == 0 ? "" : ",").append(CHAIN_ID.formatted(i));
        }
        int before = Rpc.posts();
        post("anvil", b.append("]").toString()).then().statusCode(413).contentType("application/problem+json")
                .body("type", equalTo("urn:pgcache:problem:rpc-batch-too-large"), "detail", containsString("pgcache.rpc.max-batch-size"));
        assertEquals(before, Rpc.posts(), "nothing was sent to the node");
    }

    @Test
    void aBodyOverTheLimitIsRefusedWithProblemJson() {
        String big = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\",\"params\":[\"" + "a".repeat(70_000) + "\"],\"id\":1}";
        post("anvil", big).then().statusCode(413).contentType("application/problem+json")
                .body("type", equalTo("urn:pgcache:problem:payload-too-large"));
    }

    @Test
    void anUnknownUpstreamIs404ProblemJson() {
        post("nosuchnode", CHAIN_ID.formatted(1)).then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("urn:pgcache:problem:unknown-upstream"), "detail", containsString("nosuchnode"));
    }

    @Test
    void anUpstreamThatIsDownGivesAJsonRpcErrorNotA500() {
        Response r = post("down", CHAIN_ID.formatted("\"d\""));
        JsonNode a = answer(r);
        assertEquals("d", a.path("id").asText());
        assertEquals(-32000, a.path("error").path("code").asInt());
        assertTrue(a.path("error").path("message").asText().contains("'down'"), a.toString());
        JsonNode batch = answer(post("down", "[" + CHAIN_ID.formatted(1) + "," + CHAIN_ID.formatted(2) + "]"));
        assertEquals(2, batch.size());
        assertEquals(-32000, batch.get(1).path("error").path("code").asInt());
        assertEquals(2, batch.get(1).path("id").asInt());
    }

    @Test
    void nodeErrorsArePassedBackAndNeverCached() {
        String bad = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_getBlockByNumber\",\"params\":[\"not-a-block\",false],\"id\":9}";
        int before = Rpc.calls("eth_getBlockByNumber");
        JsonNode first = answer(post("anvil", bad));
        JsonNode direct = Rpc.direct(Rpc.url("test.anvil.url"), bad);
        assertEquals(direct.get("error"), first.get("error"), "the node's error, as it gave it");
        assertEquals(9, first.path("id").asInt());
        answer(post("anvil", bad));
        assertEquals(before + 2, Rpc.calls("eth_getBlockByNumber"), "an error is not cached: the node was asked twice");
    }

    @Test
    void unknownMethodsArePassedThroughNotCached() {
        String sha3 = "{\"jsonrpc\":\"2.0\",\"method\":\"web3_sha3\",\"params\":[\"0x68656c6c6f\"],\"id\":1}";
        int before = Rpc.calls("web3_sha3");
        Response r = post("anvil", sha3);
        r.then().statusCode(200).header("X-Cache", "BYPASS");
        post("anvil", sha3).then().statusCode(200).header("X-Cache", "BYPASS");
        assertEquals(before + 2, Rpc.calls("web3_sha3"));
        assertEquals(Rpc.direct(Rpc.url("test.anvil.url"), sha3).get("result"), answer(r).get("result"));
    }

    @Test
    void theCacheHeaderSaysHitMissOrBypass() {
        String key = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x0\",%s],\"id\":1}";
        // a request no other test makes, so the first one is a miss
        String body = key.formatted("false") .replace("\"id\":1", "\"id\":\"hdr\"").replace("[\"0x0\",false]", "[\"earliest\",false]");
        String first = post("anvil", body).then().statusCode(200).extract().header("X-Cache");
        assertTrue(first.equals("MISS") || first.equals("HIT"), first);
        post("anvil", body).then().statusCode(200).header("X-Cache", "HIT");
        assertFalse(post("anvil", "[" + body + "]").headers().hasHeaderWithName("X-Cache"), "no X-Cache on a batch");
    }
}
