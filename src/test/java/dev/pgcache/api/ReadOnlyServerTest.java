package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.TestDatabase;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The pool's connections end up on a server that cannot write, as they would on a standby after
 * a failover or behind a pooler still pointing at a demoted primary: writes are 503 with
 * Retry-After (SQLSTATE 25006 is the database being unavailable for writes, not a 500), and each
 * connection that answered so is dropped from the pool, so that once the server writes again
 * (here: the database is writable again; after a failover: new connections find the new primary)
 * writes work at once instead of failing on the same connections until they are retired. Runs in
 * its own profile, hence its own database.
 */
@QuarkusTest
@TestProfile(ReadOnlyServerTest.OwnDatabase.class)
class ReadOnlyServerTest {

    public static class OwnDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pgcache.purge.interval", "1h");
        }
    }

    @Inject
    AgroalDataSource pool;

    @AfterEach
    void writableAgain() {
        TestDatabase.readOnly(false);
    }

    @Test
    void writesOnAReadOnlyServerAre503AndItsConnectionsAreDropped() {
        String path = "/v1/cache/read-only/";
        given().contentType(ContentType.JSON).body("\"before\"").put(path + "k0").then().statusCode(201);

        TestDatabase.readOnly(true);
        pool.flush(AgroalDataSource.FlushMode.ALL); // every connection from now on is opened read-only
        // more refused writes than the pool has connections: each refusing connection is destroyed,
        // none kept checked out (a leak here used to exhaust the pool: "pool is exhausted" 503s)
        int refusals = pool.getConfiguration().connectionPoolConfiguration().maxSize() + 5;
        for (int i = 0; i < refusals; i++) {
            given().contentType(ContentType.JSON).body("1").put(path + "k" + i).then()
                    .statusCode(503).contentType("application/problem+json").header("Retry-After", "2")
                    .body("type", is("urn:pgcache:problem:database-unavailable"))
                    .body("detail", not(containsString("exhausted")));
        }
        given().delete(path + "k0").then().statusCode(503).header("Retry-After", "2");
        given().get(path + "k0").then().statusCode(200).body(equalTo("\"before\"")); // reads still work

        TestDatabase.readOnly(false);
        // Read-only connections may still be idle in the pool: the reads', the background jobs', and
        // those the pool opened to keep its minimum size while the server was read-only. Each answers
        // one write with a 503 and is dropped; kept, they would answer every write so until retired.
        // Connections opened from here on are writable, so at most the service's sessions that exist
        // now can refuse (the CI run of 2026-12-01 10:53 saw 3, more than the pool's minimum of 2).
        long sessions = ((Number) TestDatabase.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")).longValue();
        int refused = 0;
        while (given().contentType(ContentType.JSON).body("2").put(path + "after").statusCode() == 503) {
            refused++;
            assertTrue(refused <= sessions, "writes still refused after the database became writable: " + refused
                    + ", more than the " + sessions + " sessions open when it did");
        }
        for (int i = 0; i < 30; i++) {
            assertEquals(200, given().contentType(ContentType.JSON).body(Integer.toString(i)).put(path + "after").statusCode(),
                    "write " + i + " after the database became writable");
        }
    }
}
