package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.Rows;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class BatchTest {

    private static final String UINT256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("batch");
    }

    private io.restassured.response.ValidatableResponse batchPut(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/cache/" + ns + "/batch-put").then();
    }

    private io.restassured.response.ValidatableResponse batchGet(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/cache/" + ns + "/batch-get").then();
    }

    @Test
    void batchPutWritesEveryEntryWithItsOwnLifetimeTagsAndRevision() {
        batchPut("""
                {"entries": [
                  {"key": "a", "value": {"n": %s, "d": 1.50, "s": "x\\"y"}, "ttl": "90", "stale": "30s", "tags": ["t1"], "revision": 5},
                  {"key": "b", "value": [1, [2, {"c": null}]], "ttl": "never"},
                  {"key": "c/d", "value": "plain"},
                  {"key": "n", "value": null},
                  {"key": "t", "value": true}
                ]}""".formatted(UINT256))
                .statusCode(200)
                .body("written", is(5), "refused", is(0), "results", hasSize(5),
                        "results[0].outcome", is("created"), "results[2].key", is("c/d"));
        given().get("/v1/cache/" + ns + "/a").then().statusCode(200)
                .header("Cache-Control", "max-age=90, stale-while-revalidate=30, stale-if-error=30")
                .header("X-Revision", "5")
                .body(containsString("\"n\": " + UINT256), containsString("\"d\": 1.50"), containsString("x\\\"y"));
        given().get("/v1/cache/" + ns + "/b").then().header("Cache-Control", "max-age=31536000").body(equalTo("[1, [2, {\"c\": null}]]"));
        given().urlEncodingEnabled(false).get("/v1/cache/" + ns + "/c%2Fd").then().body(equalTo("\"plain\""));
        given().get("/v1/cache/" + ns + "/n").then().statusCode(200).body(equalTo("null"));
        given().queryParam("tag", "t1").delete("/v1/cache/" + ns).then().body("invalidated", is(1));
    }

    @Test
    void batchPutReportsReplacedAndRefusedPerEntry() {
        batchPut("{\"entries\":[{\"key\":\"a\",\"value\":1,\"revision\":10},{\"key\":\"b\",\"value\":1}]}").statusCode(200);
        batchPut("{\"entries\":[{\"key\":\"a\",\"value\":2,\"revision\":9},{\"key\":\"b\",\"value\":2},{\"key\":\"c\",\"value\":2}]}")
                .statusCode(200)
                .body("written", is(2), "refused", is(1),
                        "results[0].outcome", is("refused"), "results[0].storedRevision", is(10),
                        "results[0].reason", containsString("lower than the stored revision 10"),
                        "results[1].outcome", is("replaced"), "results[2].outcome", is("created"));
        given().get("/v1/cache/" + ns + "/a").then().body(equalTo("1"));
        given().get("/v1/cache/" + ns + "/b").then().body(equalTo("2"));
    }

    @Test
    void batchPutOverAGoneEntryCreates() {
        batchPut("{\"entries\":[{\"key\":\"a\",\"value\":1,\"ttl\":10,\"revision\":10}]}").statusCode(200);
        TestDatabase.setLifetime(ns, "a", -5, null);
        batchPut("{\"entries\":[{\"key\":\"a\",\"value\":2,\"revision\":1}]}").statusCode(200).body("results[0].outcome", is("created"));
    }

    @Test
    void badBatchesAreRefusedWholeAndWriteNothing() {
        String[][] cases = {
                { "{\"entries\":[{\"key\":\"a\",\"value\":1},{\"key\":\"a\",\"value\":2}]}", "400", "more than once" },
                { "{\"entries\":[{\"key\":\"a\",\"value\":1},{\"key\":\"\",\"value\":2}]}", "400", "entries[1].key" },
                { "{\"entries\":[{\"key\":\"a\",\"value\":1},{\"key\":\"b\"}]}", "400", "entries[1] has no value" },
                { "{\"entries\":[{\"key\":\"a\",\"value\":1},{\"value\":2}]}", "400", "has no key" },
                { "{\"entries\":[{\"key\":\"a\",\"value\":1,\"ttl\":\"-1\"}]}", "400", "entries[0]: ttl" },
                { "{\"entries\":[{\"key\":\"a\",\"value\":1,\"colour\":1}]}", "400", "unknown field 'colour'" },
                { "{\"entries\":[{\"key\":\"a\",\"value\":\"x\\u0000\"}]}", "400", "\\u0000" },
                { "{\"entries\":[{\"key\":\"a\",\"value\":1,\"revision\":-3}]}", "400", "revision" },
                { "{\"entries\":[{\"key\":\"a\",\"value\":1,\"tags\":[1]}]}", "400", "tags[0]" },
                { "{\"entries\":[{\"key\":\"a\",\"value\":1}", "400", "not valid JSON" },
                { "{\"entries\":{}}", "400", "array" },
                { "[]", "400", "JSON object" },
                { "", "400", "empty" },
                { "{\"entries\":[{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":1e1000000}]}", "400", "entries[1].value: the number" },
                { "{\"entries\":[{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":\"\\ud800\"}]}", "400", "unpaired UTF-16 surrogate" },
                { "{\"entries\":[{\"key\":\"\\ud800\",\"value\":1},{\"key\":\"\\udbff\",\"value\":2}]}", "400", "entries[0].key" },
        };
        for (String[] c : cases) {
            batchPut(c[0]).statusCode(Integer.parseInt(c[1])).contentType("application/problem+json").body("detail", containsString(c[2]));
        }
        assertEquals(0, Rows.count(ns), "a refused batch writes nothing");
    }

    @Test
    void batchLimitsAre413() {
        StringBuilder keys = new StringBuilder("{\"keys\":[");
        StringBuilder entries = new StringBuilder("{\"entries\":[");
        for (int i = 0; i < 1001; i++) {
            keys.append(i == 0 ? "" : ",").append("\"k").append(i).append('"');
            entries.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"value\":1}");
        }
        batchGet(keys.append("]}").toString()).statusCode(413).contentType("application/problem+json")
                .body("type", is("urn:pgcache:problem:payload-too-large"), "detail", containsString("1000"));
        batchPut(entries.append("]}").toString()).statusCode(413).contentType("application/problem+json");
        assertEquals(0, Rows.count(ns));
    }

    @Test
    void batchOfAThousandIsAccepted() {
        StringBuilder entries = new StringBuilder("{\"entries\":[");
        StringBuilder keys = new StringBuilder("{\"keys\":[");
        for (int i = 0; i < 1000; i++) {
            entries.append(i == 0 ? "" : ",").append("{\"key\":\"k").append(i).append("\",\"value\":{\"i\":").append(i).append("}}");
            keys.append(i == 0 ? "" : ",").append("\"k").append(i).append('"');
        }
        batchPut(entries.append("]}").toString()).statusCode(200).body("written", is(1000));
        batchGet(keys.append("]}").toString()).statusCode(200).body("hits", is(1000), "entries[999].value.i", is(999));
    }

    @Test
    void batchGetAnswersEachKeyInOrderWithStateAndVersion() {
        batchPut("{\"entries\":[{\"key\":\"a\",\"value\":{\"x\":1},\"revision\":3},{\"key\":\"s\",\"value\":2,\"ttl\":60,\"stale\":600}]}")
                .statusCode(200);
        TestDatabase.setLifetime(ns, "s", -1, 100L);
        long version = given().get("/v1/cache/" + ns + "/a").then().extract().jsonPath().getLong("x") * 0
                + Long.parseLong(given().get("/v1/cache/" + ns + "/a").header("ETag").replace("\"", ""));
        batchGet("{\"keys\":[\"missing\",\"a\",\"s\",\"b\"]}").statusCode(200)
                .body("entries", hasSize(4), "hits", is(2), "misses", is(2),
                        "entries[0].key", is("missing"), "entries[0].state", is("miss"),
                        "entries[1].state", is("fresh"), "entries[1].value.x", is(1), "entries[1].revision", is(3),
                        "entries[1].version", is((int) version),
                        "entries[2].state", is("stale"), "entries[2].value", is(2),
                        "entries[3].key", is("b"), "entries[3].state", is("miss"));
        // a key asked twice would have its value copied twice into the answer
        batchGet("{\"keys\":[\"a\",\"s\",\"a\"]}").statusCode(400).contentType("application/problem+json")
                .body("type", is("urn:pgcache:problem:invalid-batch"), "detail", is("keys[2] 'a' was already asked as keys[0]; ask for each key once"));
        batchGet("{\"keys\":[]}").statusCode(200).body("entries", hasSize(0));
        batchGet("{\"keys\":[1]}").statusCode(400).body("detail", containsString("keys[0]"));
        batchGet("{\"keys\":[\"" + "x".repeat(600) + "\"]}").statusCode(400).body("detail", containsString("keys[0]"));
        batchGet("{\"nope\":[]}").statusCode(400);
        given().contentType(ContentType.TEXT).body("{\"keys\":[]}").post("/v1/cache/" + ns + "/batch-get").then().statusCode(415);
    }

    @Test
    void aGoneEntryIsAMissInABatch() {
        batchPut("{\"entries\":[{\"key\":\"g\",\"value\":1,\"ttl\":10}]}").statusCode(200);
        TestDatabase.setLifetime(ns, "g", -5, null);
        batchGet("{\"keys\":[\"g\"]}").statusCode(200).body("entries[0].state", is("miss"));
        assertTrue(Rows.count(ns) == 1);
    }
}
