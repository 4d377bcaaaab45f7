package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The database goes away under load: every request answers 503 problem+json with Retry-After
 * within a bounded time, the service comes back by itself when the database does, and no write
 * that got a 2xx is lost. Runs in its own profile, hence its own database.
 */
@QuarkusTest
@TestProfile(DatabaseOutageTest.OwnDatabase.class)
class DatabaseOutageTest {

    public static class OwnDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pgcache.purge.interval", "1h");
        }
    }

    @AfterEach
    void databaseIsBack() {
        TestDatabase.comeBack();
    }

    private static double unavailableCount() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> l.startsWith("pgcache_database_unavailable_total "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void outageGives503sThenRecoversWithoutLosingAcknowledgedWrites() throws Exception {
        String ns = "outage";
        given().contentType(ContentType.JSON).body("\"before\"").put("/v1/cache/" + ns + "/k0").then().statusCode(201);

        List<String> acknowledged = new CopyOnWriteArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService writers = Executors.newFixedThreadPool(4);
        for (int w = 0; w < 4; w++) {
            int writer = w;
            writers.submit(() -> {
                for (int i = 0; writing.get(); i++) {
                    String key = "w" + writer + "-" + i;
                    int status = given().contentType(ContentType.JSON).body("{\"i\":" + i + "}").put("/v1/cache/" + ns + "/" + key)
                            .then().extract().statusCode();
                    if (status == 200 || status == 201) {
                        acknowledged.add(key);
                    }
                }
            });
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.size() >= 20);

        double unavailableBefore = unavailableCount();
        TestDatabase.goAway();
        for (String method : new String[] { "GET", "PUT", "DELETE" }) {
            long start = System.nanoTime();
            var r = given().contentType(ContentType.JSON).body("1").request(method, "/v1/cache/" + ns + "/k0").then();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            r.statusCode(503).contentType("application/problem+json").header("Retry-After", "2")
                    .body("type", is("urn:pgcache:problem:database-unavailable"))
                    .body("detail", containsString("retry after 2 s"));
            assertTrue(millis < 10_000, method + " took " + millis + " ms while the database was away");
        }
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'pgcache-database' }.data.cause", containsString("does not accept connections now"))
                .body("checks.find { it.name == 'pgcache-database' }.data.sqlstate", is("55000"));
        // what PgcacheDatabaseUnavailable (deploy/prometheus) alerts on
        assertTrue(unavailableCount() >= unavailableBefore + 3, "pgcache_database_unavailable_total counted the 503s");

        TestDatabase.comeBack();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> given().get("/v1/cache/" + ns + "/k0").statusCode() == 200);
        given().get("/v1/cache/" + ns + "/k0").then().statusCode(200).body(equalTo("\"before\""));
        given().get("/q/health/ready").then().statusCode(200);

        writing.set(false);
        writers.shutdown();
        assertTrue(writers.awaitTermination(30, TimeUnit.SECONDS));
        for (String key : acknowledged) {
            given().get("/v1/cache/" + ns + "/" + key).then().statusCode(200);
        }
        assertTrue(acknowledged.size() >= 20);
    }
}
