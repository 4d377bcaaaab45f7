package dev.pgcache.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;

/** Request metrics are labelled by route template, never by the path a caller chose (paths are unbounded and carry keys). */
@QuarkusTest
class MetricLabelsTest {

    @Test
    void refusedAndUnmatchedRequestsDoNotLabelSeriesWithTheirPath() {
        for (int i = 0; i < 20; i++) {
            given().header(TestKeys.ANONYMOUS, "1").get("/v1/cache/sec-a/secret-key-" + i).then().statusCode(401);
            given().header("Authorization", "Bearer " + TestKeys.READER).get("/v1/cache/other/private-key-" + i).then().statusCode(403);
            given().post("/v1/cache/sec-a/posted-key-" + i).then().statusCode(405);
            given().get("/v1/no-such-endpoint-" + i).then().statusCode(404);
            given().urlEncodingEnabled(false).get("/v1/cache/sec-a/bad%25%ffkey-" + i).then().statusCode(400); // not UTF-8
            given().get("/v1/cache/sec-a/missing-key-" + i).then().statusCode(404);
        }
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String fragment : new String[] { "secret-key-", "private-key-", "posted-key-", "no-such-endpoint-", "bad%25", "missing-key-",
                TestKeys.READER, TestKeys.ALL }) {
            assertFalse(metrics.contains(fragment), "a metric label holds '" + fragment + "'");
        }
        assertTrue(metrics.contains("uri=\"/v1/cache/{namespace}/{key}\""), "requests are still labelled by their route");
    }
}
