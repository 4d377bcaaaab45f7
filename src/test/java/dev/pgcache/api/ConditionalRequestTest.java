package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.AtOnce;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** RFC 9110 conditional requests: cheap revalidation and compare-and-set. */
@QuarkusTest
class ConditionalRequestTest {

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("cond");
    }

    private String put(String key, String json) {
        return given().contentType(ContentType.JSON).body(json).put("/v1/cache/" + ns + "/" + key)
                .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201)).extract().header("ETag");
    }

    @Test
    void getWithMatchingIfNoneMatchIs304WithCachingHeadersAndNoBody() {
        String etag = given().contentType(ContentType.JSON).body("{\"v\":1}").put("/v1/cache/" + ns + "/k?ttl=60&stale=30")
                .then().statusCode(201).extract().header("ETag");
        given().header("If-None-Match", etag).get("/v1/cache/" + ns + "/k").then().statusCode(304)
                .header("ETag", etag)
                .header("Cache-Control", "max-age=60, stale-while-revalidate=30, stale-if-error=30")
                .header("Age", notNullValue())
                .header("X-Cache", "HIT")
                .body(emptyString());
        given().header("If-None-Match", "W/" + etag + ", \"999999999\"").get("/v1/cache/" + ns + "/k").then().statusCode(304);
        given().header("If-None-Match", "*").get("/v1/cache/" + ns + "/k").then().statusCode(304);
        // another version than the entry's (the sequence may well be at 1 when this test runs first)
        String other = "\"" + (Long.parseLong(etag.replace("\"", "")) + 1) + "\"";
        given().header("If-None-Match", other).get("/v1/cache/" + ns + "/k").then().statusCode(200).body("v", is(1));
    }

    @Test
    void staleEntryRevalidatesWith304Too() {
        String etag = given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/k?ttl=60&stale=600")
                .then().extract().header("ETag");
        TestDatabase.setLifetime(ns, "k", -1, 300L);
        given().header("If-None-Match", etag).get("/v1/cache/" + ns + "/k").then().statusCode(304).header("X-Cache", "STALE");
    }

    @Test
    void headGivesTheGetHeadersWithoutABody() {
        String etag = put("k", "{\"big\": \"" + "x".repeat(100) + "\"}");
        given().head("/v1/cache/" + ns + "/k").then().statusCode(200)
                .header("ETag", etag).header("X-Cache", "HIT").header("Cache-Control", notNullValue()).body(emptyString());
        given().head("/v1/cache/" + ns + "/absent").then().statusCode(404).header("X-Cache", "MISS");
        given().header("If-None-Match", etag).head("/v1/cache/" + ns + "/k").then().statusCode(304);
    }

    @Test
    void putWithIfMatchWritesOnlyOverThatVersion() {
        String v1 = put("k", "1");
        String v2 = given().contentType(ContentType.JSON).header("If-Match", v1).body("2").put("/v1/cache/" + ns + "/k")
                .then().statusCode(200).extract().header("ETag");
        given().contentType(ContentType.JSON).header("If-Match", v1).body("3").put("/v1/cache/" + ns + "/k")
                .then().statusCode(412).contentType("application/problem+json")
                .header("ETag", v2)
                .body("type", is("urn:pgcache:problem:precondition-failed"));
        given().get("/v1/cache/" + ns + "/k").then().body(equalTo("2")).header("ETag", v2);
    }

    @Test
    void ifMatchNeverCreatesAndWeakTagsNeverMatch() {
        given().contentType(ContentType.JSON).header("If-Match", "*").body("1").put("/v1/cache/" + ns + "/new")
                .then().statusCode(412);
        given().contentType(ContentType.JSON).header("If-Match", "\"1\"").body("1").put("/v1/cache/" + ns + "/new")
                .then().statusCode(412);
        given().get("/v1/cache/" + ns + "/new").then().statusCode(404);
        String v1 = put("k", "1");
        given().contentType(ContentType.JSON).header("If-Match", "W/" + v1).body("2").put("/v1/cache/" + ns + "/k")
                .then().statusCode(412);
        given().contentType(ContentType.JSON).header("If-Match", "*").body("2").put("/v1/cache/" + ns + "/k")
                .then().statusCode(200);
    }

    @Test
    void ifMatchDoesNotReviveAGoneEntry() {
        String v1 = put("k", "1");
        TestDatabase.setLifetime(ns, "k", -10, null);
        given().contentType(ContentType.JSON).header("If-Match", v1).body("2").put("/v1/cache/" + ns + "/k").then().statusCode(412);
    }

    @Test
    void ifNoneMatchStarCreatesOnly() {
        given().contentType(ContentType.JSON).header("If-None-Match", "*").body("1").put("/v1/cache/" + ns + "/add")
                .then().statusCode(201);
        given().contentType(ContentType.JSON).header("If-None-Match", "*").body("2").put("/v1/cache/" + ns + "/add")
                .then().statusCode(412).body("type", is("urn:pgcache:problem:precondition-failed"));
        given().get("/v1/cache/" + ns + "/add").then().body(equalTo("1"));
        // a gone entry does not count as existing
        TestDatabase.setLifetime(ns, "add", -10, null);
        given().contentType(ContentType.JSON).header("If-None-Match", "*").body("3").put("/v1/cache/" + ns + "/add")
                .then().statusCode(201);
    }

    @Test
    void deleteWithIfMatch() {
        String v1 = put("k", "1");
        given().header("If-Match", "\"1\"").delete("/v1/cache/" + ns + "/k").then().statusCode(412).header("ETag", v1);
        given().header("If-Match", v1).delete("/v1/cache/" + ns + "/k").then().statusCode(204);
        given().header("If-Match", "*").delete("/v1/cache/" + ns + "/k").then().statusCode(412);
    }

    @Test
    void malformedPreconditionsAre400() {
        put("k", "1");
        for (String bad : new String[] { "5", "\"5", "\"5\" \"6\"", "W/5" }) {
            given().contentType(ContentType.JSON).header("If-Match", bad).body("2").put("/v1/cache/" + ns + "/k")
                    .then().statusCode(400).body("type", is("urn:pgcache:problem:invalid-precondition"));
        }
        given().contentType(ContentType.JSON).header("If-Match", "*").header("If-None-Match", "*").body("2").put("/v1/cache/" + ns + "/k")
                .then().statusCode(400);
        given().get("/v1/cache/" + ns + "/k").then().body(equalTo("1"));
    }

    @Test
    void concurrentCompareAndSetHasOneWinnerPerVersion() throws Exception {
        String etag = put("counter", "0");
        int writers = 12;
        int rounds = 5;
        for (int round = 1; round <= rounds; round++) {
            List<Callable<Integer>> puts = new ArrayList<>();
            String expected = etag;
            for (int w = 0; w < writers; w++) {
                String value = Integer.toString(round * 100 + w);
                puts.add(() -> given().contentType(ContentType.JSON).header("If-Match", expected).body(value)
                        .put("/v1/cache/" + ns + "/counter").then().extract().statusCode());
            }
            int won = 0;
            int refused = 0;
            for (int status : AtOnce.run(puts)) {
                won += status == 200 ? 1 : 0;
                refused += status == 412 ? 1 : 0;
            }
            assertEquals(1, won, "round " + round);
            assertEquals(writers - 1, refused, "round " + round);
            etag = given().get("/v1/cache/" + ns + "/counter").then().extract().header("ETag");
        }
    }

    @Test
    void putAcceptsFreshnessFromCacheControl() {
        given().contentType(ContentType.JSON).header("Cache-Control", "max-age=90, stale-while-revalidate=15").body("1")
                .put("/v1/cache/" + ns + "/cc").then().statusCode(201);
        given().get("/v1/cache/" + ns + "/cc").then().header("Cache-Control", "max-age=90, stale-while-revalidate=15, stale-if-error=15");
        // query parameters win over the header
        given().contentType(ContentType.JSON).header("Cache-Control", "max-age=90").body("1")
                .put("/v1/cache/" + ns + "/cc?ttl=30").then().statusCode(200);
        given().get("/v1/cache/" + ns + "/cc").then().header("Cache-Control", "max-age=30");
        given().contentType(ContentType.JSON).header("Cache-Control", "max-age=soon").body("1")
                .put("/v1/cache/" + ns + "/cc").then().statusCode(400).body("type", is("urn:pgcache:problem:invalid-cache-control"));
    }

    @Test
    void touchExtendsLifeWithoutRewritingTheValue() {
        String etag = given().contentType(ContentType.JSON).body("{\"keep\":true}").put("/v1/cache/" + ns + "/t?ttl=60&stale=60")
                .then().extract().header("ETag");
        TestDatabase.setLifetime(ns, "t", -5, 30L);
        given().get("/v1/cache/" + ns + "/t").then().header("X-Cache", "STALE");
        given().post("/v1/cache/" + ns + "/t/touch?ttl=600").then().statusCode(200).header("ETag", etag)
                .body("version", is(Long.valueOf(etag.replace("\"", "")).intValue()), "staleUntil", nullValue());
        given().get("/v1/cache/" + ns + "/t").then().statusCode(200).header("X-Cache", "HIT").header("ETag", etag).body("keep", is(true));
        given().post("/v1/cache/" + ns + "/absent/touch?ttl=600").then().statusCode(404).contentType("application/problem+json");
        given().post("/v1/cache/" + ns + "/t/touch?ttl=-1").then().statusCode(400);
    }
}
