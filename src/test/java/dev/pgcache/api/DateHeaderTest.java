package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Every answer carries a Date header (RFC 9110 §6.6.1), and a miss says no-store so no cache keeps the 404. */
@QuarkusTest
class DateHeaderTest {

    private static void hasCurrentDate(Response r, String what) {
        String date = r.getHeader("Date");
        assertNotNull(date, what + " has no Date header");
        Instant sent = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        assertTrue(Duration.between(sent, Instant.now()).abs().getSeconds() <= 5, what + ": Date " + date + " is not now");
    }

    @Test
    void everyKindOfAnswerHasADate() {
        String ns = Namespaces.fresh("date");
        hasCurrentDate(given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/k"), "a 201");
        Response hit = given().get("/v1/cache/" + ns + "/k");
        hasCurrentDate(hit, "a 200 from the GET route");
        hasCurrentDate(given().header("If-None-Match", hit.getHeader("ETag")).get("/v1/cache/" + ns + "/k"), "a 304");
        hasCurrentDate(given().get("/v1/cache/" + ns + "?limit=5"), "a listing");
        hasCurrentDate(given().header(TestKeys.ANONYMOUS, "1").get("/v1/cache/" + ns + "/k"), "a 401");
        hasCurrentDate(given().urlEncodingEnabled(false).get("/v1/cache/" + ns + ";x/k"), "a 400 at the front door");
        hasCurrentDate(given().post("/v1/cache/" + ns + "/k"), "a 405");
        hasCurrentDate(given().get("/q/health/ready"), "health");
    }

    @Test
    void aMissSaysNoStore() {
        String ns = Namespaces.fresh("date");
        Response miss = given().get("/v1/cache/" + ns + "/absent");
        assertTrue(miss.statusCode() == 404 && "no-store".equals(miss.getHeader("Cache-Control")), miss.headers().toString());
        hasCurrentDate(miss, "a miss");
        Response viaJaxRs = given().accept("application/json, text/plain").get("/v1/cache/" + ns + "/absent");
        assertTrue(viaJaxRs.statusCode() == 404 && "no-store".equals(viaJaxRs.getHeader("Cache-Control")), viaJaxRs.headers().toString());
    }
}
