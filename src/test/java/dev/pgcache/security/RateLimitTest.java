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

@QuarkusTest
@TestProfile(RateLimitTest.Limited.class)
class RateLimitTest {

    public static class Limited implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pgcache.auth.rate-limit.enabled", "true",
                    "pgcache.auth.rate-limit.requests-per-second", "0.5",
                    "pgcache.auth.rate-limit.burst", "3");
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
}
