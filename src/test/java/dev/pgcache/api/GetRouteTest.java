package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import org.awaitility.Awaitility;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.protocol.Problem;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.http.Header;
import io.restassured.response.Response;

/**
 * A plain GET is answered by CacheGetRoute, anything more by EntryResource: both must answer
 * alike, and the route must hand over every request it does not fully understand.
 */
@QuarkusTest
class GetRouteTest {

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("route");
        given().contentType(ContentType.JSON).header("X-Revision", "7").body("{\"v\":\"é\"}")
                .put("/v1/cache/" + ns + "/k?ttl=60&stale=30").then().statusCode(201);
    }

    private static Map<String, String> cachingHeaders(Response r) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Header h : r.getHeaders()) {
            // Age and Date count seconds: they may tick between the two requests (CI saw Date do so)
            if (!h.getName().equalsIgnoreCase("Age") && !h.getName().equalsIgnoreCase("Date")) {
                // the second read may come from the near cache: Cache-Status says so, all else is alike
                headers.put(h.getName(), h.getValue().replaceAll("; detail=(memory|table)$", ""));
            }
        }
        return headers;
    }

    @Test
    void theRouteAndTheResourceAnswerAPlainGetAlike() {
        Response plain = given().get("/v1/cache/" + ns + "/k");
        // a query parameter sends the same read through JAX-RS
        Response viaResource = given().get("/v1/cache/" + ns + "/k?min-revision=7");
        assertEquals(200, plain.statusCode());
        assertEquals(200, viaResource.statusCode());
        assertEquals(plain.asString(), viaResource.asString());
        assertEquals("{\"v\": \"é\"}", plain.asString());
        assertEquals(cachingHeaders(viaResource), cachingHeaders(plain));
        plain.then().header("Date", not(emptyString()));
        viaResource.then().header("Date", not(emptyString()));
        plain.then().header("Content-Type", "application/json").header("X-Revision", "7").header("X-Cache", "HIT")
                .header("Cache-Control", "max-age=60, stale-while-revalidate=30, stale-if-error=30");
    }

    @Test
    void aMissIsTheSameProblemOnBothPaths() {
        Response plain = given().get("/v1/cache/" + ns + "/absent");
        Response viaResource = given().get("/v1/cache/" + ns + "/absent?min-revision=1");
        plain.then().statusCode(404).contentType(Problem.MEDIA_TYPE).header("X-Cache", "MISS")
                .body("type", equalTo("urn:pgcache:problem:cache-miss"))
                .body("instance", equalTo("/v1/cache/" + ns + "/absent"));
        viaResource.then().statusCode(404).contentType(Problem.MEDIA_TYPE).header("X-Cache", "MISS")
                .body("type", equalTo("urn:pgcache:problem:cache-miss"));
    }

    @Test
    void requestsTheRouteDoesNotServeAreAnsweredByTheResource() {
        given().accept("text/html").get("/v1/cache/" + ns + "/k").then().statusCode(406).contentType(Problem.MEDIA_TYPE);
        given().accept("application/json;q=0.9, text/plain;q=0.1").get("/v1/cache/" + ns + "/k").then().statusCode(200)
                .body("v", equalTo("é"));
        given().header("If-None-Match", "not-a-tag").get("/v1/cache/" + ns + "/k").then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE);
        given().get("/v1/cache/" + ns + "/" + "x".repeat(600)).then().statusCode(400).body("type", containsString("key"));
        given().get("/v1/cache/Bad%20Namespace/k").then().statusCode(400).contentType(Problem.MEDIA_TYPE);
        given().head("/v1/cache/" + ns + "/k").then().statusCode(200).header("ETag", not(emptyString()));
        given().urlEncodingEnabled(false).get("/v1/cache/" + ns + "/a%2Fb").then().statusCode(404).body("detail", containsString("'a/b'"));
    }

    @Test
    void conditionalGetOnTheRouteIs304WithoutBody() {
        String etag = given().get("/v1/cache/" + ns + "/k").then().statusCode(200).extract().header("ETag");
        given().header("If-None-Match", etag).get("/v1/cache/" + ns + "/k").then().statusCode(304)
                .header("ETag", etag).header("X-Cache", "HIT").body(emptyString());
    }

    @Test
    void theRouteIsMeteredUnderTheResourceTemplateNotTheRawPath() {
        given().get("/v1/cache/" + ns + "/k").then().statusCode(200);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        org.hamcrest.MatcherAssert.assertThat(metrics, containsString("uri=\"/v1/cache/{namespace}/{key}\""));
        org.hamcrest.MatcherAssert.assertThat(metrics, not(containsString("/v1/cache/" + ns + "/k\"")));
        // and the read went through a statement whose size is counted
        org.hamcrest.MatcherAssert.assertThat(metrics, containsString("pgcache_statement_requests_count{kind=\"read\"}"));
    }

    /**
     * A copy in memory is answered on the event loop, a read of the table (Cache-Control: no-cache)
     * on a thread: the answers are the same bytes, header order and spelling included, but for
     * where the copy came from (Cache-Status detail) and what counts seconds (Date, Age, ttl).
     */
    @Test
    void anAnswerFromMemoryIsTheTablesByteForByte() throws Exception {
        String target = "/v1/cache/" + ns + "/k";
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> raw(target, "").contains("; detail=memory\r\n"));
        String memory = raw(target, "");
        String table = raw(target, "Cache-Control: no-cache\r\n");
        assertTrue(memory.contains("; detail=memory\r\n"), memory);
        assertTrue(table.contains("; detail=table\r\n"), table);
        assertTrue(memory.startsWith("HTTP/1.1 200 OK\r\n") && memory.endsWith("\r\n\r\n{\"v\": \"é\"}"), memory);
        assertEquals(timeless(table), timeless(memory));

        String etag = given().get(target).then().extract().header("ETag");
        String notModifiedFromMemory = raw(target, "If-None-Match: " + etag + "\r\n");
        String notModifiedFromTable = raw(target, "If-None-Match: " + etag + "\r\nCache-Control: no-cache\r\n");
        assertTrue(notModifiedFromMemory.startsWith("HTTP/1.1 304 Not Modified\r\n"), notModifiedFromMemory);
        assertEquals(timeless(notModifiedFromTable), timeless(notModifiedFromMemory));
    }

    /** One request on a connection of its own, the answer as the bytes that came back. */
    private static String raw(String target, String moreHeaders) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestKeys.ALL
                    + "\r\n" + moreHeaders + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String timeless(String answer) {
        return answer.replaceAll("(?m)^(Date|date|Age|age): [^\r]*", "$1: …").replaceAll("ttl=-?\\d+", "ttl=…")
                .replaceAll("detail=(memory|table)", "detail=…");
    }
}
