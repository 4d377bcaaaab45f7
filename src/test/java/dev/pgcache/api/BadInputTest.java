package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.pgcache.testing.Namespaces;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/**
 * Every malformed or oversized request gets a 4xx problem+json that says what is wrong, and
 * the entry that was stored before is exactly as it was afterwards (same value, same version).
 */
@QuarkusTest
class BadInputTest {

    private static final String ORIGINAL = "{\"keep\": \"me\"}";
    private String ns;
    private String etag;

    @BeforeEach
    void storeAnEntryThatMustSurvive() {
        ns = Namespaces.fresh("bad");
        etag = given().contentType(ContentType.JSON).body(ORIGINAL).put("/v1/cache/" + ns + "/k")
                .then().statusCode(201).extract().header("ETag");
    }

    @AfterEach
    void entryIsUnchanged() {
        given().get("/v1/cache/" + ns + "/k").then().statusCode(200)
                .header("ETag", etag)
                .body(equalTo(ORIGINAL));
    }

    private static void isProblem(ValidatableResponse r, int status, String type, String detailFragment) {
        r.statusCode(status)
                .contentType("application/problem+json")
                .body("status", is(status), "type", is("urn:pgcache:problem:" + type), "detail", containsString(detailFragment));
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("", "invalid-json", "empty"),
                Arguments.of("   \n ", "invalid-json", "no JSON value"),
                Arguments.of("{\"a\":", "invalid-json", "not valid JSON"),
                Arguments.of("{'a':1}", "invalid-json", "not valid JSON"),
                Arguments.of("{\"a\":1} {\"b\":2}", "invalid-json", "more than one JSON value"),
                Arguments.of("[1,2] x", "invalid-json", "not valid JSON"),
                Arguments.of("NaN", "invalid-json", "not valid JSON"),
                Arguments.of("01", "invalid-json", "not valid JSON"),
                Arguments.of("\"a\\u0000b\"", "unsupported-json", "\\u0000"),
                Arguments.of("{\"k\\u0000\":1}", "unsupported-json", "\\u0000"),
                Arguments.of("[".repeat(65) + "]".repeat(65), "json-too-complex", "nesting"),
                Arguments.of("1" + "0".repeat(2000), "json-too-complex", "Number"));
    }

    @ParameterizedTest
    @MethodSource("badBodies")
    void badJsonBodyIsRefused(String body, String type, String detail) {
        isProblem(given().contentType(ContentType.JSON).body(body).put("/v1/cache/" + ns + "/k").then(), 400, type, detail);
    }

    @Test
    void numberPastPostgresRangeIsRefusedWith400() {
        // refused before PostgreSQL sees it: written out in full it would have a million digits
        isProblem(given().contentType(ContentType.JSON).body("1e1000000").put("/v1/cache/" + ns + "/k").then(),
                400, "unsupported-json", "the number 1e1000000 at line 1, column 1 would be stored and read back as 1000001 characters");
    }

    @Test
    void invalidUtf8IsRefused() {
        byte[] body = { '"', (byte) 0xC3, (byte) 0x28, '"' };
        isProblem(given().contentType(ContentType.JSON).body(body).put("/v1/cache/" + ns + "/k").then(), 400, "invalid-json", "UTF-8");
    }

    @Test
    void bodyOverTheValueLimitIs413() {
        String big = "\"" + "a".repeat(1024 * 1024) + "\"";
        isProblem(given().contentType(ContentType.JSON).body(big).put("/v1/cache/" + ns + "/k").then(), 413, "payload-too-large", "1048576");
    }

    @Test
    void bodyOverTheTransportCapIs413BeforeItIsRead() {
        byte[] huge = new byte[17 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        isProblem(given().contentType(ContentType.JSON).body(huge).put("/v1/cache/" + ns + "/k").then(), 413, "payload-too-large", "16777216");
    }

    @Test
    void nonJsonContentTypeIs415() {
        isProblem(given().contentType(ContentType.TEXT).body("1").put("/v1/cache/" + ns + "/k").then(), 415, "unsupported-media-type", "text/plain");
    }

    @Test
    void keyOverTheByteLimitIsRefused() {
        String key = "\u00e9".repeat(257); // 514 bytes in UTF-8, 257 characters
        isProblem(given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/" + key).then(), 400, "invalid-key", "514 bytes");
    }

    @Test
    void keyWithNulOrBrokenEscapesIsRefused() {
        isProblem(given().urlEncodingEnabled(false).contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/a%00b").then(),
                400, "invalid-key", "NUL");
        isProblem(given().urlEncodingEnabled(false).contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/a%FFb").then(),
                400, "invalid-key", "UTF-8");
        isProblem(given().urlEncodingEnabled(false).get("/v1/cache/" + ns + "/a%FF").then(), 400, "invalid-key", "UTF-8");
    }

    @Test
    void badNamespacesAreRefused() {
        for (String bad : new String[] { "Upper", "-lead", "sp%20ace", "x".repeat(65), "%C3%A9" }) {
            isProblem(given().urlEncodingEnabled(false).contentType(ContentType.JSON).body("1").put("/v1/cache/" + bad + "/k").then(),
                    400, "invalid-namespace", "does not match");
        }
        isProblem(given().urlEncodingEnabled(false).delete("/v1/cache/Nope").then(), 400, "invalid-namespace", "does not match");
    }

    static Stream<Arguments> badLifetimes() {
        return Stream.of(
                Arguments.of("ttl=-5", "invalid-ttl", "negative"),
                Arguments.of("ttl=soon", "invalid-ttl", "not a duration"),
                Arguments.of("ttl=", "invalid-ttl", "empty"),
                Arguments.of("ttl=PT-5S", "invalid-ttl", "negative"),
                Arguments.of("ttl=P1M", "invalid-ttl", "not a duration"),
                Arguments.of("ttl=P100000D", "invalid-ttl", "longer than the limit"),
                Arguments.of("ttl=99999999999999999999", "invalid-ttl", "not a duration"),
                Arguments.of("stale=-1", "invalid-stale", "negative"),
                Arguments.of("stale=never", "invalid-stale", "not a duration"));
    }

    @ParameterizedTest
    @MethodSource("badLifetimes")
    void badTtlOrStaleIsRefused(String query, String type, String detail) {
        isProblem(given().urlEncodingEnabled(false).contentType(ContentType.JSON).body("2").put("/v1/cache/" + ns + "/k?" + query).then(),
                400, type, detail);
    }

    @Test
    void badTagsAreRefused() {
        isProblem(given().contentType(ContentType.JSON).body("2").queryParam("tag", "t".repeat(129)).put("/v1/cache/" + ns + "/k").then(),
                400, "invalid-tag", "129 bytes");
        isProblem(given().urlEncodingEnabled(false).contentType(ContentType.JSON).body("2").put("/v1/cache/" + ns + "/k?tag=").then(),
                400, "invalid-tag", "empty");
        var req = given().contentType(ContentType.JSON).body("2");
        for (int i = 0; i < 33; i++) {
            req = req.queryParam("tag", "t" + i);
        }
        isProblem(req.put("/v1/cache/" + ns + "/k").then(), 400, "invalid-tag", "at most 32");
    }

    @Test
    void badRevisionIsRefused() {
        for (String rev : new String[] { "abc", "-1", "1.5", "99999999999999999999" }) {
            isProblem(given().contentType(ContentType.JSON).header("X-Revision", rev).body("2").put("/v1/cache/" + ns + "/k").then(),
                    400, "invalid-revision", "whole number");
        }
    }

    @Test
    void badInvalidationsAreRefused() {
        isProblem(given().urlEncodingEnabled(false).delete("/v1/cache/" + ns + "?prefix=").then(), 400, "invalid-prefix", "empty");
        isProblem(given().urlEncodingEnabled(false).delete("/v1/cache/" + ns + "?prefix").then(), 400, "invalid-prefix", "empty");
        isProblem(given().urlEncodingEnabled(false).delete("/v1/cache/" + ns + "?prefix=a&prefix=b").then(), 400, "invalid-prefix", "2 times");
        isProblem(given().queryParam("prefix", "k").queryParam("tag", "x").delete("/v1/cache/" + ns).then(),
                400, "invalid-invalidation", "not both");
        isProblem(given().urlEncodingEnabled(false).delete("/v1/cache/" + ns + "?tag=").then(), 400, "invalid-tag", "empty");
    }

    @Test
    void dotSegmentAndEmptyKeysAreRefusedAndNeverReachTheNamespace() {
        given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/other").then().statusCode(201);
        for (String path : new String[] { "/%2E", "/%2e%2E", "/", "/a/%2E%2E/other", "/%2E/touch" }) {
            for (String method : new String[] { "DELETE", "GET", "PUT", "POST" }) {
                isProblem(given().urlEncodingEnabled(false).contentType(ContentType.JSON).body("1")
                        .request(method, "/v1/cache/" + ns + path).then(), 400, "invalid-key", "");
            }
        }
        given().get("/v1/cache/" + ns + "/other").then().statusCode(200);
    }

    @Test
    void unknownPathsAndWrongMethodsAreProblems() {
        isProblem(given().get("/v1/nothing-here").then(), 404, "not-found", "no resource");
        isProblem(given().post("/v1/cache/" + ns + "/k").then(), 405, "method-not-allowed", "method");
        given().post("/v1/cache/" + ns + "/k").then().header("Allow", "GET, HEAD, PUT, DELETE");
        given().put("/v1/cache/" + ns).then().statusCode(405).header("Allow", "GET, HEAD, DELETE");
        given().get("/v1/cache/" + ns + "/batch-put").then().statusCode(404); // a key named batch-put: GET works
        given().get("/v1/admin/purge").then().statusCode(405).header("Allow", "POST");
        given().delete("/v1/stats").then().statusCode(405).header("Allow", "GET, HEAD");
        given().get("/v1/cache/" + ns + "/k/touch").then().statusCode(405).header("Allow", "POST");
    }

    @Test
    void bodyBytesAreDecodedAsUtf8EvenWithAnotherCharsetDeclared() {
        byte[] body = "\"caf\u00e9\"".getBytes(StandardCharsets.UTF_8);
        given().contentType("application/json; charset=UTF-8").body(body).put("/v1/cache/" + ns + "/other").then().statusCode(201);
        given().get("/v1/cache/" + ns + "/other").then().statusCode(200).body(equalTo("\"caf\u00e9\""));
    }
}
