package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.AtOnce;
import dev.pgcache.testing.PgBouncer;
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
            // a statement whose cancel is lost ends at this and Connections.CANCEL_GRACE_MILLIS (7 s), within the 10 s asked below
            return Map.of("pgcache.purge.interval", "1h", "pgcache.database.statement-timeout", "5s");
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
        // PostgreSQL's own refusal; behind PgBouncer the pooler's error, which names no reason
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'pgcache-database' }.data.cause", PgBouncer.wanted()
                        ? containsString("no connection to PostgreSQL")
                        : containsString("does not accept connections now"))
                .body("checks.find { it.name == 'pgcache-database' }.data.sqlstate", is(PgBouncer.wanted() ? "08P01" : "55000"));
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

    /**
     * The pool's connections sit idle when the database goes away. Without a pooler PostgreSQL
     * closes them; behind PgBouncer they stay open to PgBouncer, which queues their next
     * statement while it has no server connection and drops the cancel the driver sends at the
     * statement timeout ("cancel request for idle client"). The connection's network timeout
     * (the statement timeout and a grace, Connections#networkTimeoutMillis) ends the wait, not
     * the driver's 30 s socketTimeout, and the pool drops the connection.
     */
    @Test
    void requestsOnConnectionsThatWereIdleEndQuicklyToo() throws Exception {
        String ns = "outage-idle";
        // several connections in the pool, then nothing running when the database goes away
        AtOnce.run(8, () -> given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/k").then().extract().statusCode());
        given().get("/v1/cache/" + ns + "/k").then().statusCode(200);
        // the pool's sessions idle (the server sees them as 'pgcache', PgBouncer's as the client's name)
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> ((Number) TestDatabase.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'pgcache' AND state <> 'idle'"))
                .longValue() == 0);
        TestDatabase.goAway();
        List<Callable<Long>> requests = new ArrayList<>();
        for (String method : new String[] { "PUT", "DELETE", "PUT", "DELETE" }) {
            requests.add(() -> {
                long start = System.nanoTime();
                given().contentType(ContentType.JSON).body("2").request(method, "/v1/cache/" + ns + "/k").then()
                        .statusCode(503).contentType("application/problem+json").header("Retry-After", "2");
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            });
        }
        for (long millis : AtOnce.run(requests)) {
            assertTrue(millis < 10_000, "a write took " + millis + " ms while the database was away");
        }
        TestDatabase.comeBack();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> given().contentType(ContentType.JSON).body("3").put("/v1/cache/" + ns + "/k").statusCode() == 200);
        given().get("/v1/cache/" + ns + "/k").then().statusCode(200).body(equalTo("3"));
    }
}
