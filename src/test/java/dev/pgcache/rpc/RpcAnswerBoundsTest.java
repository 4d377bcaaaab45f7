package dev.pgcache.rpc;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pgcache.protocol.Problem;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestDatabase;
import dev.pgcache.testing.WellBehavedClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * One small JSON-RPC batch cannot make the proxy build a huge answer: identical calls are fetched
 * once, and an answer over pgcache.rpc.max-answer-size (16 MiB by default) is a 413 found out
 * before it is built, and for cached results before they are read. Against
 * {@link dev.pgcache.testing.LargeResultNode}, a loopback node whose eth_call returns a result
 * as large as asked, and the real table.
 */
@QuarkusTest
class RpcAnswerBoundsTest {

    /** A 900 KiB result: small enough to be cached (under max-value-size), 20 of them over the 16 MiB answer limit. */
    private static final int RESULT_CHARS = 900 * 1024;
    private static final String BLOCK_HASH = "0x" + "ab".repeat(32);
    private static final AtomicLong CONTRACTS = new AtomicLong(0x1000);

    /** An eth_call by block hash (cached for good) on a contract no other test calls, answered with a 900 KiB result. */
    private static ObjectNode ethCall(String contract, Object id) {
        ObjectNode call = Rpc.JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "eth_call");
        call.set("id", Rpc.JSON.valueToTree(id));
        ArrayNode params = call.putArray("params");
        params.addObject().put("to", contract).put("data", "0x" + Integer.toHexString(RESULT_CHARS));
        params.add(BLOCK_HASH);
        return call;
    }

    private static String contract() {
        return String.format("0x%040x", CONTRACTS.incrementAndGet());
    }

    private static String batch(String contract, int n) {
        ArrayNode batch = Rpc.JSON.createArrayNode();
        for (int i = 0; i < n; i++) {
            batch.add(ethCall(contract, "call-" + i));
        }
        return batch.toString();
    }

    private static int ethCalls() {
        return Integer.parseInt(Rpc.get(Rpc.url("test.large.url") + "/__calls"));
    }

    private static long cached(String contract) {
        return ((Number) TestDatabase.scalar("SELECT count(*) FROM pgcache.cache_entry WHERE namespace = 'rpc-large' AND cache_key LIKE ?",
                "eth_call:%" + contract.substring(2) + "%")).longValue();
    }

    @Test
    void identicalCallsAreFetchedOnceAndAnAnswerOverTheLimitIsA413() {
        String contract = contract();
        int before = ethCalls();
        String detail = Rpc.post("large", batch(contract, 20)).then().statusCode(413).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:pgcache:problem:answer-too-large"), "title", equalTo("Answer too large"))
                .extract().path("detail");
        assertTrue(detail.matches("the answer with the results of these 20 requests would be 184\\d{5} bytes; the largest answer is "
                + "16777216 bytes \\(pgcache.rpc.max-answer-size\\); split the batch, or ask for fewer large results at a time"), detail);
        assertEquals(before + 1, ethCalls(), "20 identical calls: one eth_call reached the node");
        assertEquals(1, cached(contract), "the result was stored all the same");

        // now from the cache: refused before the cached values are read, and without the node
        String again = Rpc.post("large", batch(contract, 20)).then().statusCode(413)
                .body("type", equalTo("urn:pgcache:problem:answer-too-large")).extract().path("detail");
        assertTrue(again.startsWith("the answer with the cached results of these 20 requests would be 184"), again);
        assertEquals(before + 1, ethCalls());

        // a batch within the limit is answered, every request with its own id, from the one cached value
        JsonNode answer = Rpc.read(Rpc.post("large", batch(contract, 10)).then().statusCode(200).extract().asString());
        assertEquals(10, answer.size());
        for (int i = 0; i < 10; i++) {
            assertEquals("call-" + i, answer.get(i).path("id").asText());
            assertEquals(RESULT_CHARS, answer.get(i).path("result").asText().length());
        }
        assertEquals(before + 1, ethCalls(), "answered from the cache");
    }

    @Test
    void identicalCallsWithinTheLimitShareOneFetch() {
        String contract = contract();
        int before = ethCalls();
        JsonNode answer = Rpc.read(Rpc.post("large", batch(contract, 12)).then().statusCode(200).extract().asString());
        assertEquals(12, answer.size());
        assertEquals("call-11", answer.get(11).path("id").asText());
        assertEquals(answer.get(0).get("result"), answer.get(11).get("result"));
        assertEquals(before + 1, ethCalls());
        Rpc.post("large", ethCall(contract, 7).toString()).then().statusCode(200).header("X-Cache", "HIT")
                .body("id", equalTo(7), "result.length()", equalTo(RESULT_CHARS));
    }

    @Test
    void otherCallersAreAnsweredWhileOneKeyAbusesTheProxy() throws Exception {
        String ns = Namespaces.fresh("rpc-other");
        given().contentType(ContentType.JSON).body("{\"fine\": true}").put("/v1/cache/" + ns + "/k").then().statusCode(201);
        URI small = URI.create("http://localhost:" + RestAssured.port + "/v1/cache/" + ns + "/k");
        String contract = contract();
        try (WellBehavedClient other = WellBehavedClient.reading(small)) {
            List<List<Integer>> statuses = other.whileAbusing(4, () -> {
                List<Integer> seen = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    seen.add(Rpc.post("large", batch(contract, 20)).then().extract().statusCode());
                }
                return seen;
            });
            for (List<Integer> seen : statuses) {
                assertEquals(List.of(413, 413, 413, 413, 413), seen, "every abusive batch was refused");
            }
            assertEquals(List.of(), other.failures(), "the other caller's reads all succeeded");
        }
        given().contentType(ContentType.JSON).body(Rpc.request("eth_chainId").toString()).post("/v1/rpc/anvil").then().statusCode(200)
                .body(containsString("0x7a69"));
    }
}
