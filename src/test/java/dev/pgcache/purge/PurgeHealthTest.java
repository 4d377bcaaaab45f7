package dev.pgcache.purge;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.config.PgcacheConfig;
import io.agroal.api.AgroalDataSource;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The purge check (/q/health/well) goes DOWN when no run completed for 3 intervals and UP again
 * after one; readiness does not care. Time is moved by setting the last-completed instant, not
 * by waiting (the test profile's interval is an hour).
 */
@QuarkusTest
class PurgeHealthTest {

    @Inject
    PurgeStatus status;

    @Inject
    PurgeJob purgeJob;

    @Inject
    PgcacheConfig config;

    @Inject
    AgroalDataSource dataSource;

    @AfterEach
    void healthy() {
        status.pretendLastProgressAt(Instant.now());
    }

    private void pretendNoRunFor(int intervals) {
        status.pretendLastProgressAt(Instant.now().minus(config.purge().interval().multipliedBy(intervals)).minus(Duration.ofSeconds(1)));
    }

    @Test
    void downAfterThreeIntervalsWithoutARunThenUpAfterOne() {
        pretendNoRunFor(2);
        given().get("/q/health/well").then().statusCode(200).body("checks.find { it.name == 'pgcache-purge' }.status", is("UP"));

        pretendNoRunFor(3);
        given().get("/q/health/well").then().statusCode(503)
                .body("checks.find { it.name == 'pgcache-purge' }.status", is("DOWN"))
                .body("checks.find { it.name == 'pgcache-purge' }.data.problem", containsString("no purge run completed"));
        given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"),
                "checks.name", org.hamcrest.Matchers.not(hasItem("pgcache-purge")));
        given().get("/q/health/live").then().statusCode(200);

        given().post("/v1/admin/purge").then().statusCode(200);
        given().get("/q/health/well").then().statusCode(200)
                .body("checks.find { it.name == 'pgcache-purge' }.status", is("UP"))
                .body("checks.find { it.name == 'pgcache-purge' }.data.lastOutcome", containsString("purged"));
    }

    @Test
    void aRunSkippedBecauseAnotherReplicaPurgesCountsAsCompleted() throws Exception {
        pretendNoRunFor(4);
        try (Connection other = TestDatabase.connect(); PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?)")) {
            lock.setLong(1, config.purge().lockKey());
            lock.execute();
            assertFalse(purgeJob.runOnce().lockHeld());
            // released explicitly: on close, the server drops the lock only when the backend has exited
            try (PreparedStatement unlock = other.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                unlock.setLong(1, config.purge().lockKey());
                unlock.execute();
            }
        }
        given().get("/q/health/well").then().statusCode(200)
                .body("checks.find { it.name == 'pgcache-purge' }.status", is("UP"))
                .body("checks.find { it.name == 'pgcache-purge' }.data.lastOutcome", containsString("another replica"));
    }

    @Test
    void aFailedRunDoesNotCount() {
        pretendNoRunFor(4);
        TestDatabase.goAway();
        try {
            try {
                purgeJob.runOnce();
            } catch (RuntimeException expected) {
                // the database is away
            }
        } finally {
            TestDatabase.comeBack();
            dataSource.flush(AgroalDataSource.FlushMode.ALL); // the pooled connections were killed; later tests need new ones
        }
        given().get("/q/health/well").then().statusCode(503)
                .body("checks.find { it.name == 'pgcache-purge' }.data.lastOutcome", containsString("failed"));
    }
}
