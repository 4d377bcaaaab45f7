package dev.pgcache.purge;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.AtOnce;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.Rows;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PurgeJobTest {

    @Inject
    PurgeJob purgeJob;

    @Test
    void adminPurgeRemovesGoneRowsAndReportsCounts() {
        String ns = Namespaces.fresh("purge");
        Rows.insertGone(ns, 1_234);
        Rows.insertStale(ns, 3);
        given().post("/v1/admin/purge").then().statusCode(200)
                .body("purged", greaterThanOrEqualTo(1_234), "byNamespace." + ns, is(1_234), "lockHeld", is(true),
                        "complete", is(true), "durationMs", greaterThanOrEqualTo(0), "batches", greaterThanOrEqualTo(2));
        assertEquals(3, Rows.count(ns));
    }

    @Test
    void twoPurgersAtOnceDeleteEachRowOnce() throws Exception {
        String ns = Namespaces.fresh("purge");
        Rows.insertGone(ns, 6_000);
        long purgedHere = 0;
        for (PurgeReport r : AtOnce.run(2, purgeJob::runOnce)) {
            purgedHere += r.byNamespace().getOrDefault(ns, 0L);
            assertEquals(r.purged(), r.byNamespace().values().stream().mapToLong(Long::longValue).sum(),
                    "a run's total equals its per-namespace counts");
        }
        // whatever lock hand-overs happened between batches, together they deleted every row exactly once
        long leftover = Rows.count(ns);
        if (leftover > 0) {
            purgedHere += purgeJob.runOnce().byNamespace().getOrDefault(ns, 0L);
        }
        assertEquals(6_000, purgedHere);
        assertEquals(0, Rows.count(ns));
        assertTrue(leftover <= 6_000);
    }
}
