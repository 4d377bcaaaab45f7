package dev.pgcache.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Rate limits per key and per client address, with small limits. */
@QuarkusTest
@TestProfile(RateLimitTest.Limited.class)
class RateLimitTest {

    public static class Limited implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pgcache.auth.rate-limit.enabled", "true",
                    "pgcache.auth.rate-limit.requests-per-second", "0.5",
                    "pgcache.auth.rate-limit.burst", "3",
                    "pgcache.auth.anonymous-rate-limit.requests-per-second", "0.5",
                    "pgcache.auth.anonymous-rate-limit.burst", "4");
        }
    }

    @Test
    void aKeyOverItsRateGets429WithRetryAfterAndOtherKeysDoNot() {
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", "Bearer " + TestKeys.READER).get("/v1/cache/sec-a/none").then().statusCode(404);
        }
        String retryAfter = given().header("Authorization", "Bearer " + TestKeys.READER).get("/v1/cache/sec-a/none").then()
                .statusCode(429).contentType("application/problem+json")
                .body("type", is("urn:pgcache:problem:rate-limited"))
                .extract().header("Retry-After");
        assertTrue(Integer.parseInt(retryAfter) >= 1);
        // buckets are per key
        given().header("Authorization", "Bearer " + TestKeys.NARROW).get("/v1/cache/sec-a/none").then().statusCode(404);
    }

    @Test
    void requestsWithoutAValidKeyAreLimitedByAddressAndKeyedCallersAreNot() {
        int answered401 = 0;
        for (int i = 0; i < 4; i++) {
            int status = given().header("Authorization", "Bearer guess-" + i).get("/v1/cache/sec-a/k").then().extract().statusCode();
            answered401 += status == 401 ? 1 : 0;
        }
        assertTrue(answered401 >= 1, "the first guesses are answered 401");
        given().header("Authorization", "Bearer guess-more").get("/v1/cache/sec-a/k").then().statusCode(429)
                .contentType("application/problem+json").header("Retry-After", org.hamcrest.Matchers.notNullValue());
        given().header(TestKeys.ANONYMOUS, "1").get("/q/health/live").then().statusCode(429); // public paths count too
        given().header("Authorization", "Bearer " + TestKeys.NARROW).get("/v1/cache/sec-a/anon").then().statusCode(404); // a valid key passes
    }
}
