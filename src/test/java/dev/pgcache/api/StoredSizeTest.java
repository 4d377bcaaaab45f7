package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.protocol.Problem;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.Rows;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/**
 * What a read returns is never larger than size_bytes says, so answers can be bounded before
 * values are read: PostgreSQL prints numbers in plain form (1e131071 as 131,072 digits) and a
 * space after every ',' and ':'. Numbers that would grow past 1,000 characters are refused at
 * write, smaller growth is counted in size_bytes and against the value limit, and strings
 * PostgreSQL cannot store (an unpaired surrogate) are a 400, not a database error.
 */
@QuarkusTest
class StoredSizeTest {

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("stored");
    }

    private ValidatableResponse put(String key, String json) {
        return given().contentType(ContentType.JSON).body(json).put("/v1/cache/" + ns + "/" + key).then();
    }

    private ValidatableResponse batchPut(String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/cache/" + ns + "/batch-put").then();
    }

    private long sizeBytes(String key) {
        return ((Number) TestDatabase.scalar("SELECT size_bytes FROM pgcache.cache_entry WHERE namespace = ? AND cache_key = ?", ns, key))
                .longValue();
    }

    private long textBytes(String key) {
        return ((Number) TestDatabase.scalar("SELECT octet_length(value::text) FROM pgcache.cache_entry WHERE namespace = ? AND cache_key = ?",
                ns, key)).longValue();
    }

    @Test
    void aNumberThatWouldBeStoredAsMegabytesIsRefusedAndNothingIsWritten() {
        put("e", "[1e131071, 2]").statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:pgcache:problem:unsupported-json"),
                        "detail", equalTo("the number 1e131071 at line 1, column 2 would be stored and read back as 131072 characters: "
                                + "PostgreSQL keeps JSON numbers as numeric, in plain decimal form, and pgcache stores numbers of at most "
                                + "1000 characters; send it as a JSON string"));
        put("huge", "{\"a\": -123456789012345678901234567890.5E999999999}").statusCode(400)
                .body("type", equalTo("urn:pgcache:problem:unsupported-json"),
                        "detail", containsString("the number -1234567890123456789….5E999999999 at line 1, column 7 would be stored and read "
                                + "back as 1000000030 characters"));
        batchPut("{\"entries\":[{\"key\":\"ok\",\"value\":1},{\"key\":\"e\",\"value\":{\"n\":[1, 9.5E+20000]}}]}").statusCode(400)
                .body("type", equalTo("urn:pgcache:problem:unsupported-json"),
                        "detail", containsString("entries[1].value: the number 9.5E+20000 at line 1, column 64 would be stored and read back as 20001 characters"));
        assertEquals(0, Rows.count(ns), "nothing was written");
    }

    @Test
    void growthWithinTheLimitsIsCountedInSizeBytes() {
        // each number grows, but stays within 1,000 characters as PostgreSQL prints it
        put("grows", "[1e20,1e-7,9e999,-1.25E-3,0e-10]").statusCode(201);
        given().get("/v1/cache/" + ns + "/grows").then().statusCode(200)
                .body(containsString("[100000000000000000000, 0.0000001, 9000"), containsString("0, -0.00125, 0.0000000000]"));
        assertEquals(textBytes("grows"), sizeBytes("grows"), "compact JSON: size_bytes is exactly what a read returns");
        assertTrue(sizeBytes("grows") > 1000, "the 1,000 digits of 9e999 are counted");
        // numbers PostgreSQL shortens are counted as written: size_bytes stays an upper bound
        put("shrinks", "[1.5e2,0e10]").statusCode(201);
        given().get("/v1/cache/" + ns + "/shrinks").then().body(equalTo("[150, 0]"));
        assertEquals(textBytes("shrinks") + 5, sizeBytes("shrinks"));
    }

    @Test
    void sizeBytesIsNeverLessThanWhatAReadReturns() {
        List<String> values = List.of("{\"a\":1,\"b\":[1,2,{}],\"c\":\"x\"}", "[[],[[]],{},{\"\":[null,true,false]}]", "\"plain\"", "-0",
                "{\"b\": 1, \"a\" : [ 1 , 2 ]}", "{\"a\":1,\"a\":2}", "[\"\\u00e9\\/\\u0001\\u007f\\ud83d\\ude00\",\"é😀\"]",
                "{\"deep\":{\"er\":{\"est\":[1.50,2E-2,3e+2]}}}", "[1.0e-1,10e-1,0.1e1,123.456e-10]", "0.000");
        for (int i = 0; i < values.size(); i++) {
            put("v" + i, values.get(i)).statusCode(201);
            assertTrue(sizeBytes("v" + i) >= textBytes("v" + i), values.get(i) + ": size_bytes " + sizeBytes("v" + i)
                    + " is at least the " + textBytes("v" + i) + " bytes a read returns");
        }
        StringBuilder batch = new StringBuilder("{\"entries\":[");
        for (int i = 0; i < values.size(); i++) {
            batch.append(i == 0 ? "" : ",").append("{\"key\":\"b").append(i).append("\",\"value\":").append(values.get(i)).append('}');
        }
        batchPut(batch.append("]}").toString()).statusCode(200);
        for (int i = 0; i < values.size(); i++) {
            assertEquals(sizeBytes("v" + i), sizeBytes("b" + i), values.get(i) + ": a batch-put measures a value as a PUT does");
        }
        assertEquals(textBytes("v0"), sizeBytes("v0"), "compact: exact");
        assertEquals(textBytes("v1"), sizeBytes("v1"), "compact: exact");
    }

    @Test
    void numbersThatGrowPastTheValueLimitAreRefused() {
        // 1,100 numbers of 5 bytes that PostgreSQL prints as 1,000 digits each: 6.6 KB sent, 1.1 MB stored
        String many = "[" + "1e999,".repeat(1_100) + "1]";
        put("many", many).statusCode(413).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:pgcache:problem:payload-too-large"),
                        "detail", equalTo("the value is 6603 bytes as sent, but 1101103 bytes as PostgreSQL stores and returns it (it "
                                + "writes numbers in exponent form out in full); the limit is 1048576 bytes (pgcache.limits.max-value-size)"));
        batchPut("{\"entries\":[{\"key\":\"many\",\"value\":" + many + "}]}").statusCode(413)
                .body("detail", containsString("entries[0].value is 6603 bytes as sent, but 1101103 bytes as PostgreSQL stores"));
        assertEquals(0, Rows.count(ns), "nothing was written");
    }

    @Test
    void anUnpairedSurrogateInAValueIsA400AndAPairIsStored() {
        put("lone", "\"\\ud800\"").statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:pgcache:problem:unsupported-json"),
                        "detail", containsString("a string at line 1, column 1 contains an unpaired UTF-16 surrogate (\\ud800)"));
        put("lone", "{\"a\":[\"x\\udc00y\"]}").statusCode(400).body("type", equalTo("urn:pgcache:problem:unsupported-json"));
        put("lone", "{\"\\udbff\":1}").statusCode(400).body("type", equalTo("urn:pgcache:problem:unsupported-json"));
        batchPut("{\"entries\":[{\"key\":\"lone\",\"value\":[\"\\ud800\"]}]}").statusCode(400)
                .body("type", equalTo("urn:pgcache:problem:unsupported-json"), "detail", containsString("entries[0].value: a string at"));
        assertEquals(0, Rows.count(ns), "nothing was written");

        put("pair", "\"\\ud83d\\ude00\"").statusCode(201);
        given().get("/v1/cache/" + ns + "/pair").then().statusCode(200).body(equalTo("\"😀\""));
    }
}
