package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.RawHttp;
import dev.pgcache.testing.TestDatabase;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * Headers that carry access or preconditions are read strictly, keys that hold the characters
 * HTTP layers treat specially still work when percent-encoded, and refused spellings are
 * problems that leave the table alone.
 */
@QuarkusTest
class StrictRequestTest {

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("strict");
        given().contentType(ContentType.JSON).body("\"original\"").put("/v1/cache/" + ns + "/k").then().statusCode(201);
    }

    private RawHttp.Answer put(List<String> headers) throws Exception {
        return RawHttp.send(RestAssured.port, "PUT", "/v1/cache/" + ns + "/k", headers, "\"overwritten\"");
    }

    private String stored() {
        return (String) TestDatabase.scalar("SELECT value::text FROM pgcache.cache_entry WHERE namespace = ? AND cache_key = 'k'", ns);
    }

    @ParameterizedTest
    @ValueSource(strings = { "If-Match", "If-None-Match", "X-Revision", "Cache-Control" })
    void anEmptyPreconditionOrLifetimeHeaderIsA400AndNothingIsWritten(String header) throws Exception {
        RawHttp.Answer a = put(List.of("Authorization: Bearer " + TestKeys.ALL, header + ":"));
        assertEquals(400, a.status(), a.toString());
        assertTrue(a.header("content-type").startsWith("application/problem+json"), a.toString());
        assertTrue(a.body().contains(header) && a.body().contains("empty"), a.body());
        assertEquals("\"original\"", stored());
    }

    @ParameterizedTest
    @ValueSource(strings = { "If-Match: \"1\"", "If-None-Match: \"7\"", "X-Revision: 5", "Cache-Control: max-age=5" })
    void aRepeatedPreconditionHeaderIsA400AndNothingIsWritten(String header) throws Exception {
        RawHttp.Answer a = put(List.of("Authorization: Bearer " + TestKeys.ALL, header, header.replace("5", "6").replace("1", "2")));
        assertEquals(400, a.status(), a.toString());
        assertTrue(a.body().contains("send it once"), a.body());
        assertEquals("\"original\"", stored());
    }

    @Test
    void twoAuthorizationHeadersAreA400EvenWhenOneIsValid() throws Exception {
        RawHttp.Answer a = put(List.of("Authorization: Bearer not-a-key", "Authorization: Bearer " + TestKeys.ALL));
        assertEquals(400, a.status(), a.toString());
        a = put(List.of("Authorization: Bearer " + TestKeys.ALL, "Authorization: Bearer " + TestKeys.ALL));
        assertEquals(400, a.status(), a.toString());
        assertEquals("\"original\"", stored());
    }

    @Test
    void anEmptyIfMatchNoLongerTurnsCompareAndSetIntoABlindWrite() throws Exception {
        RawHttp.Answer a = put(List.of("Authorization: Bearer " + TestKeys.ALL, "If-Match: "));
        assertEquals(400, a.status(), a.toString());
        assertEquals("\"original\"", stored());
    }

    @ParameterizedTest
    @ValueSource(strings = { "a%3Bb", "%3B", "a%2Fb", "a.b", "a..b", "%2E%2E%2Fx", "x%2F..", "a%5Cb", "%25", "semi%3Bcolon%3Dx" })
    void keysHoldingSpecialCharactersWorkWhenPercentEncoded(String encoded) {
        String key = java.net.URLDecoder.decode(encoded.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        given().urlEncodingEnabled(false).contentType(ContentType.JSON).body("\"v\"").put("/v1/cache/" + ns + "/" + encoded)
                .then().statusCode(201).body("key", equalTo(key));
        given().urlEncodingEnabled(false).get("/v1/cache/" + ns + "/" + encoded).then().statusCode(200).body(equalTo("\"v\""));
        given().urlEncodingEnabled(false).delete("/v1/cache/" + ns + "/" + encoded).then().statusCode(204);
        assertEquals("\"original\"", stored(), "the key 'k' was not touched");
    }

    @ParameterizedTest
    @ValueSource(strings = { ";", ";x", "k;b=c", "k;" })
    void aRawSemicolonInAKeyIsRefusedNeverReadAsAParameter(String rawKey) {
        for (String method : new String[] { "PUT", "DELETE", "GET" }) {
            given().urlEncodingEnabled(false).contentType(ContentType.JSON).body("1").request(method, "/v1/cache/" + ns + "/" + rawKey)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("type", is("urn:pgcache:problem:invalid-key"), "detail", containsString("%3B"));
        }
        assertEquals("\"original\"", stored());
        given().get("/v1/cache/" + ns + "/k").then().statusCode(200);
    }

    @Test
    void refusedSpellingsSayWhatIsWrong() throws Exception {
        RawHttp.Answer a = RawHttp.send(RestAssured.port, "GET", "http://any-host/v1/cache/" + ns + "/k",
                List.of("Authorization: Bearer " + TestKeys.ALL), null);
        assertEquals(400, a.status());
        assertTrue(a.body().contains("origin-form"), a.body());
        a = RawHttp.send(RestAssured.port, "GET", "/v1/cache/" + ns + ";-public/k", List.of("Authorization: Bearer " + TestKeys.PUBLIC), null);
        assertEquals(400, a.status());
        assertTrue(a.body().contains("invalid-namespace"), a.body());
        a = RawHttp.send(RestAssured.port, "DELETE", "/q/../v1/cache/" + ns, List.of(), null);
        assertEquals(400, a.status());
        assertTrue(a.body().contains("dot segments"), a.body());
        assertFalse(a.body().contains("Exception"), a.body());
        assertEquals("\"original\"", stored());
    }
}
