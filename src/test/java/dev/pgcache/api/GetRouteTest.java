package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.protocol.Problem;
import dev.pgcache.testing.Namespaces;
import io.quarkus.test.junit.QuarkusTest;
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
}
