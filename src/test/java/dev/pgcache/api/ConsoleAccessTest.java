package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import java.sql.Connection;
import java.sql.PreparedStatement;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.metrics.RecentActivity;
import dev.pgcache.purge.PurgeJob;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.RawHttp;
import dev.pgcache.testing.TestDatabase;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * The console's files are public and nothing else becomes so: every other spelling near
 * /console is refused, the webjar's own copy is not served, and the endpoints the page calls
 * answer by the key's scopes like every other /v1 call.
 */
@QuarkusTest
class ConsoleAccessTest {

    @Inject
    RecentActivity activity;

    @Inject
    PurgeJob purgeJob;

    @Inject
    PgcacheConfig config;

    private static RawHttp.Answer anonymous(String method, String target) throws Exception {
        return RawHttp.send(RestAssured.port, method, target, List.of(), null);
    }

    @Test
    void thePageAndItsFilesAreServedWithoutAKeyUnderAStrictPolicy() throws Exception {
        for (String[] file : new String[][] { { "/console", "text/html" }, { "/console/console.js", "text/javascript" },
                { "/console/console.css", "text/css" }, { "/console/uplot.js", "text/javascript" }, { "/console/uplot.css", "text/css" } }) {
            RawHttp.Answer a = anonymous("GET", file[0]);
            assertEquals(200, a.status(), file[0] + ": " + a);
            assertTrue(a.header("content-type").startsWith(file[1]), file[0] + ": " + a.header("content-type"));
            assertEquals(ConsoleRoute.CONTENT_SECURITY_POLICY, a.header("content-security-policy"), file[0]);
            assertEquals("nosniff", a.header("x-content-type-options"), file[0]);
            assertTrue(a.body().length() > 100, file[0] + " has a body");
        }
        assertTrue(anonymous("GET", "/console").body().contains("<script type=\"module\" src=\"/console/console.js\">"));
        assertTrue(anonymous("GET", "/console/uplot.js").body().contains("export { uPlot as default }"), "the webjar's ES module");
        RawHttp.Answer head = anonymous("HEAD", "/console/console.js");
        assertEquals(200, head.status());
        assertTrue(Integer.parseInt(head.header("content-length")) > 100);
    }

    @Test
    void nothingElseNearTheConsoleIsOpen() throws Exception {
        List<String> failures = new ArrayList<>();
        // each must be refused (400 for a spelling that is not canonical, 404 for a path nothing serves), never answered
        for (String target : List.of("/console/", "/console/../v1/namespaces", "/console/..%2Fv1%2Fnamespaces", "/console%2F..%2Fv1%2Fstats",
                "/console/%2e%2e/v1/stats", "/console/%2E%2E/v1/stats", "/console/./console.js", "/console//console.js",
                "/console/console.js/..", "/console;x/console.js", "/console/console.js;x", "/console/%63onsole.js",
                "/%63onsole", "/Console", "/CONSOLE/console.js", "/console/x/y", "/console/index.html", "/console/console.js%00",
                "/console/..", "/console/..%5Cv1%5Cstats", "/console\\..\\v1\\stats", "/console/application.properties",
                "/console/META-INF", "/webjars/uplot/1.6.30/dist/uPlot.esm.js", "/console/uPlot.esm.js", "/console/v1",
                "/console/console.js/x", "//console", "/console?/../v1/stats")) {
            RawHttp.Answer a = anonymous("GET", target);
            boolean refused = a.status() == 400 || a.status() == 404;
            boolean problem = String.valueOf(a.header("content-type")).startsWith("application/problem+json")
                    || a.status() == 400 && a.header("content-type") == null && target.contains("\\"); // the decoder's own 400
            boolean leaks = a.body().contains("\"namespaces\"") || a.body().contains("pgcache.auth");
            if (target.equals("/console?/../v1/stats")) {
                // the query is not part of the path: this is the page itself, which holds no data
                refused = a.status() == 200 && a.body().contains("<title>pgcache console</title>");
                problem = true;
            }
            if (!refused || !problem || leaks) {
                failures.add(target + " -> " + a);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void onlyGetAndHeadAreTaken() throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            RawHttp.Answer a = anonymous(method, "/console/console.js");
            assertEquals(405, a.status(), method + ": " + a);
            assertTrue(a.header("content-type").startsWith("application/problem+json"), method + ": " + a);
        }
    }

    @Test
    void aKeyInTheQueryOrACookieOpensNothing() throws Exception {
        // the page never puts the key in a URL or a cookie, and the API does not read it from either
        assertEquals(401, anonymous("GET", "/v1/me?key=" + TestKeys.ALL).status());
        assertEquals(401, RawHttp.send(RestAssured.port, "GET", "/v1/me", List.of("Cookie: key=" + TestKeys.ALL), null).status());
    }

    @Test
    void meSaysWhatTheKeyMayDoToAnyValidKey() {
        given().get("/v1/me").then().statusCode(200).body("key", is("test-all"), "scopes", is(List.of("read", "write", "admin")),
                "namespaces.name", hasItem("near-off"), "namespaces.find { it.name == 'near-off' }.nearCache", is(false),
                "namespaces.find { it.name == 'bounded-entries' }.maxEntries", is(10),
                "namespaces.find { it.name == 'bounded-bytes' }.maxBytes", is(1000));
        // test-reader: read on sec-*; no declared namespace matches, so none is listed, and it may write nowhere
        given().header("Authorization", "Bearer " + TestKeys.READER).get("/v1/me").then().statusCode(200)
                .body("key", is("test-reader"), "scopes", is(List.of("read")), "namespaces.findAll { it.write }", empty());
        // any valid key may ask who it is (CallerTest has them all)
        given().header("Authorization", "Bearer " + TestKeys.WRITER).get("/v1/me").then().statusCode(200)
                .body("key", is("test-writer"), "scopes", is(List.of("write")));
        given().header("Authorization", "Bearer " + TestKeys.ADMIN).get("/v1/me").then().statusCode(200)
                .body("key", is("test-admin"), "scopes", is(List.of("admin")), "namespaces", empty());
        given().header(TestKeys.ANONYMOUS, "1").get("/v1/me").then().statusCode(401);
    }

    @Test
    void activityAndStatusAreForAdminKeysOnly() {
        for (String path : List.of("/v1/admin/activity", "/v1/admin/status")) {
            given().header("Authorization", "Bearer " + TestKeys.READER).get(path).then().statusCode(403)
                    .contentType("application/problem+json").body("detail", containsString("admin"));
            given().header("Authorization", "Bearer " + TestKeys.ADMIN).get(path).then().statusCode(200);
        }
    }

    @Test
    void activityChartsReadsAndLatencyOfTheLastInterval() {
        String ns = Namespaces.fresh("activity");
        activity.sample(); // close the interval so far
        given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/k").then().statusCode(201);
        for (int i = 0; i < 3; i++) {
            given().get("/v1/cache/" + ns + "/k").then().statusCode(200);
        }
        given().get("/v1/cache/" + ns + "/absent").then().statusCode(404);
        activity.sample();
        given().get("/v1/admin/activity").then().statusCode(200)
                .body("intervalSeconds", is(5), "samples", not(empty()),
                        "samples[-1].hitsPerSecond", greaterThan(0f), "samples[-1].missesPerSecond", greaterThan(0f),
                        "samples[-1].requestsPerSecond", greaterThan(0f), "samples[-1].p50Ms", notNullValue(),
                        "samples[-1].p99Ms", notNullValue(), "samples.at", everyItem(notNullValue()));
    }

    @Test
    void statusShowsPurgeRunsAndNoLockHolderBetweenRuns() {
        purgeJob.runOnce();
        given().get("/v1/admin/status").then().statusCode(200)
                .body("purge.recentRuns", not(empty()), "purge.recentRuns[0].lockHeld", is(true),
                        "purge.lastCompletedAt", notNullValue(), "purge.lockHolder", nullValue(),
                        "purge.intervalSeconds", greaterThan(0), "upstreams", notNullValue());
    }

    @Test
    void statusNamesTheSessionHoldingThePurgeLock() throws Exception {
        try (Connection other = TestDatabase.connect(); PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?)")) {
            other.createStatement().execute("SET application_name = 'another-replica'");
            lock.setLong(1, config.purge().lockKey());
            lock.execute();
            try {
                given().get("/v1/admin/status").then().statusCode(200)
                        .body("purge.lockHolder.applicationName", is("another-replica"), "purge.lockHolder.pid", greaterThan(0));
            } finally {
                // released explicitly: on close, the server drops the lock only when the backend has exited
                try (PreparedStatement unlock = other.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    unlock.setLong(1, config.purge().lockKey());
                    unlock.execute();
                }
            }
        }
        given().get("/v1/admin/status").then().statusCode(200).body("purge.lockHolder", nullValue());
    }

    @Test
    void aPurgeLockOfTheSameNumberInAnotherDatabaseIsNotThisOnes() throws Exception {
        // another pgcache on the same server, with its own database: its purge lock has the same number
        // but belongs to its database, and takes nothing from this one
        try (Connection other = java.sql.DriverManager.getConnection(TestDatabase.adminUrl());
                PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?)")) {
            other.createStatement().execute("SET application_name = 'another-deployment'");
            lock.setLong(1, config.purge().lockKey());
            lock.execute();
            try {
                given().get("/v1/admin/status").then().statusCode(200).body("purge.lockHolder", nullValue());
                purgeJob.runOnce();
                given().get("/v1/admin/status").then().statusCode(200).body("purge.recentRuns[0].lockHeld", is(true));
            } finally {
                try (PreparedStatement unlock = other.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    unlock.setLong(1, config.purge().lockKey());
                    unlock.execute();
                }
            }
        }
    }
}
