package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

@QuarkusTest
class CacheApiTest {

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("rest");
    }

    private static Response put(String path, String json) {
        return given().contentType(ContentType.JSON).body(json).urlEncodingEnabled(false).put(path);
    }

    @Test
    void putCreatesThenReplacesWithNewVersion() {
        Response created = put("/v1/cache/" + ns + "/k1", "{\"a\":1}");
        created.then().statusCode(201)
                .header("ETag", matchesPattern("\"\\d+\""))
                .header("Location", matchesPattern(".*/v1/cache/" + ns + "/k1"))
                .body("created", is(true), "key", is("k1"), "namespace", is(ns));
        Response replaced = put("/v1/cache/" + ns + "/k1", "{\"a\":2}");
        replaced.then().statusCode(200).body("created", is(false));
        assertNotEquals(created.header("ETag"), replaced.header("ETag"));
        assertEquals(created.jsonPath().getLong("version") + 1 <= replaced.jsonPath().getLong("version"), true);

        given().get("/v1/cache/" + ns + "/k1").then().statusCode(200)
                .header("ETag", replaced.header("ETag"))
                .body("a", is(2));
    }

    @Test
    void getAnswersFreshHitWithCachingHeaders() {
        put("/v1/cache/" + ns + "/k?ttl=120&stale=30", "[1,2,3]").then().statusCode(201);
        given().get("/v1/cache/" + ns + "/k").then().statusCode(200)
                .contentType(ContentType.JSON)
                .header("X-Cache", "HIT")
                .header("Cache-Control", "max-age=120, stale-while-revalidate=30, stale-if-error=30")
                .header("Age", "0")
                .body(equalTo("[1, 2, 3]"));
    }

    @Test
    void ageAndMaxAgeFollowFetchedAt() {
        put("/v1/cache/" + ns + "/k?ttl=100", "1").then().statusCode(201);
        // the value was fetched 40 s ago and is fresh for 60 s more
        TestDatabase.execute("UPDATE pgcache.cache_entry SET fetched_at = now() - interval '40 seconds', "
                + "expires_at = now() + interval '60 seconds' WHERE namespace = ?", ns);
        given().get("/v1/cache/" + ns + "/k").then().statusCode(200)
                .header("Age", "40")
                .header("Cache-Control", "max-age=100")
                .header("X-Cache", "HIT");
    }

    @Test
    void expiredValueInsideStaleWindowIsServedStale() {
        put("/v1/cache/" + ns + "/k?ttl=60&stale=600", "\"old\"").then().statusCode(201);
        TestDatabase.setLifetime(ns, "k", -5, 300L);
        given().get("/v1/cache/" + ns + "/k").then().statusCode(200)
                .header("X-Cache", "STALE")
                .body(equalTo("\"old\""));
    }

    @Test
    void expiredValuePastItsStaleWindowIsAMissEvenBeforePurge() {
        put("/v1/cache/" + ns + "/k?ttl=60&stale=60", "\"old\"").then().statusCode(201);
        TestDatabase.setLifetime(ns, "k", -120, -60L);
        given().get("/v1/cache/" + ns + "/k").then().statusCode(404).header("X-Cache", "MISS");
        // the row is still there, waiting for purge: it was never served
        assertEquals(1, TestDatabase.execute("UPDATE pgcache.cache_entry SET hit_count = hit_count WHERE namespace = ?", ns));
    }

    @Test
    void expiredValueWithoutStaleWindowIsAMiss() {
        put("/v1/cache/" + ns + "/k?ttl=60", "1").then().statusCode(201);
        TestDatabase.setLifetime(ns, "k", -1, null);
        given().get("/v1/cache/" + ns + "/k").then().statusCode(404).header("X-Cache", "MISS");
    }

    @Test
    void putOverAGoneEntryCountsAsCreated() {
        put("/v1/cache/" + ns + "/k?ttl=60", "1").then().statusCode(201);
        TestDatabase.setLifetime(ns, "k", -1, null);
        put("/v1/cache/" + ns + "/k?ttl=60", "2").then().statusCode(201).body("created", is(true));
    }

    @Test
    void missIsProblemJsonWithXCacheMiss() {
        given().get("/v1/cache/" + ns + "/absent").then().statusCode(404)
                .contentType("application/problem+json")
                .header("X-Cache", "MISS")
                .body("type", is("urn:pgcache:problem:cache-miss"), "status", is(404), "detail", matchesPattern(".*absent.*"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"a\":{\"b\":[1,true,null]}}", "[]", "{}", "\"text\"", "42", "-0.5", "true", "false", "null",
            "\"emoji \\ud83d\\ude00 and \u00e9\"" })
    void everyKindOfJsonValueRoundTrips(String json) {
        put("/v1/cache/" + ns + "/v", json).then().statusCode(201);
        String back = given().get("/v1/cache/" + ns + "/v").then().statusCode(200).header("X-Cache", "HIT")
                .extract().asString();
        assertEquals(json.replace(" ", "").replace("\\ud83d\\ude00", "\ud83d\ude00"), back.replace(" ", ""));
    }

    @Test
    void storedJsonNullIsAHitNotAMiss() {
        put("/v1/cache/" + ns + "/nothing", "null").then().statusCode(201);
        given().get("/v1/cache/" + ns + "/nothing").then().statusCode(200).header("X-Cache", "HIT").body(equalTo("null"));
    }

    @Test
    void numbersKeepFullPrecision() {
        String uint256Max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
        String longDecimal = "3.14159265358979323846264338327950288419716939937510582097494459";
        put("/v1/cache/" + ns + "/n", "{\"big\":" + uint256Max + ",\"pi\":" + longDecimal + ",\"neg\":-" + uint256Max + "}")
                .then().statusCode(201);
        String back = given().get("/v1/cache/" + ns + "/n").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(back.contains("\"big\": " + uint256Max), back);
        org.junit.jupiter.api.Assertions.assertTrue(back.contains("\"pi\": " + longDecimal), back);
        org.junit.jupiter.api.Assertions.assertTrue(back.contains("\"neg\": -" + uint256Max), back);
    }

    @Test
    void keysMayHoldEncodedSlashesAndAnyUtf8() {
        put("/v1/cache/" + ns + "/blocks%2F0x1f%3Fa%23b%20c", "1").then().statusCode(201).body("key", is("blocks/0x1f?a#b c"));
        put("/v1/cache/" + ns + "/%E2%82%AC%F0%9F%98%80", "2").then().statusCode(201).body("key", is("€😀"));
        given().urlEncodingEnabled(false).get("/v1/cache/" + ns + "/blocks%2F0x1f%3Fa%23b%20c").then().statusCode(200).body(equalTo("1"));
        given().urlEncodingEnabled(false).get("/v1/cache/" + ns + "/%E2%82%AC%F0%9F%98%80").then().statusCode(200).body(equalTo("2"));
        assertEquals(1, TestDatabase.execute("UPDATE pgcache.cache_entry SET hit_count = 0 WHERE namespace = ? AND cache_key = ?",
                ns, "blocks/0x1f?a#b c"));
    }

    @Test
    void ttlAcceptsSecondsIsoDurationsAndNever() {
        put("/v1/cache/" + ns + "/a?ttl=PT2M", "1").then().statusCode(201).body("expiresAt", not(nullValue()));
        given().get("/v1/cache/" + ns + "/a").then().header("Cache-Control", "max-age=120");
        put("/v1/cache/" + ns + "/b?ttl=P1D&stale=PT1H", "1").then().statusCode(201);
        given().get("/v1/cache/" + ns + "/b").then().header("Cache-Control", "max-age=86400, stale-while-revalidate=3600, stale-if-error=3600");
        put("/v1/cache/" + ns + "/c?ttl=never", "1").then().statusCode(201).body("expiresAt", nullValue(), "staleUntil", nullValue());
        given().get("/v1/cache/" + ns + "/c").then().header("Cache-Control", "max-age=31536000").header("X-Cache", "HIT");
        put("/v1/cache/" + ns + "/d", "1").then().statusCode(201);
        given().get("/v1/cache/" + ns + "/d").then().header("Cache-Control", "max-age=3600"); // namespace default (pgcache.defaults.ttl)
    }

    @Test
    void revisionHeaderIsStoredAndEchoed() {
        given().contentType(ContentType.JSON).header("X-Revision", "19000000").body("{}").put("/v1/cache/" + ns + "/r")
                .then().statusCode(201);
        given().get("/v1/cache/" + ns + "/r").then().statusCode(200).header("X-Revision", "19000000");
    }

    @Test
    void deleteRemovesOneKey() {
        put("/v1/cache/" + ns + "/k", "1").then().statusCode(201);
        given().delete("/v1/cache/" + ns + "/k").then().statusCode(204);
        given().get("/v1/cache/" + ns + "/k").then().statusCode(404);
        given().delete("/v1/cache/" + ns + "/k").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void invalidateByPrefixTouchesOnlyMatchingKeys() {
        for (String k : new String[] { "user:1", "user:2", "user:10", "users", "user%25", "other" }) {
            put("/v1/cache/" + ns + "/" + k, "1").then().statusCode(201);
        }
        given().queryParam("prefix", "user:").delete("/v1/cache/" + ns).then().statusCode(200).body("invalidated", is(3));
        given().get("/v1/cache/" + ns + "/users").then().statusCode(200);
        given().get("/v1/cache/" + ns + "/other").then().statusCode(200);
        given().get("/v1/cache/" + ns + "/user:1").then().statusCode(404);
    }

    @Test
    void prefixWithLikeWildcardsIsTakenLiterally() {
        put("/v1/cache/" + ns + "/a%25b1", "1").then().statusCode(201); // key "a%b1"
        put("/v1/cache/" + ns + "/axb1", "1").then().statusCode(201);
        put("/v1/cache/" + ns + "/a_b", "1").then().statusCode(201);
        given().queryParam("prefix", "a%b").delete("/v1/cache/" + ns).then().statusCode(200).body("invalidated", is(1));
        given().queryParam("prefix", "a_").delete("/v1/cache/" + ns).then().statusCode(200).body("invalidated", is(1));
        given().get("/v1/cache/" + ns + "/axb1").then().statusCode(200);
    }

    @Test
    void invalidateByTagAndWholeNamespace() {
        put("/v1/cache/" + ns + "/a?tag=block-100&tag=hot", "1").then().statusCode(201);
        put("/v1/cache/" + ns + "/b?tag=block-100", "1").then().statusCode(201);
        put("/v1/cache/" + ns + "/c?tag=block-101", "1").then().statusCode(201);
        put("/v1/cache/" + ns + "/d", "1").then().statusCode(201);
        given().queryParam("tag", "block-100").delete("/v1/cache/" + ns).then().statusCode(200).body("invalidated", is(2));
        given().get("/v1/cache/" + ns + "/c").then().statusCode(200);
        given().delete("/v1/cache/" + ns).then().statusCode(200).body("invalidated", is(2));
        given().get("/v1/cache/" + ns + "/d").then().statusCode(404);
        given().delete("/v1/cache/" + ns).then().statusCode(200).body("invalidated", is(0));
    }

    @Test
    void invalidationDoesNotCountGoneEntries() {
        put("/v1/cache/" + ns + "/live", "1").then().statusCode(201);
        put("/v1/cache/" + ns + "/gone?ttl=10", "1").then().statusCode(201);
        TestDatabase.setLifetime(ns, "gone", -1, null);
        given().delete("/v1/cache/" + ns).then().statusCode(200).body("invalidated", is(1));
        given().delete("/v1/cache/" + ns + "/gone").then().statusCode(404);
    }

    @Test
    void namespacesAreIsolated() {
        String other = Namespaces.fresh("rest");
        put("/v1/cache/" + ns + "/k", "1").then().statusCode(201);
        put("/v1/cache/" + other + "/k", "2").then().statusCode(201);
        given().delete("/v1/cache/" + ns).then().body("invalidated", is(1));
        given().get("/v1/cache/" + other + "/k").then().statusCode(200).body(equalTo("2"));
    }
}
