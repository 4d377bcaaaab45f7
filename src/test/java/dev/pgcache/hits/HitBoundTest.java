package dev.pgcache.hits;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** Memory for hits is bounded: past max-tracked-keys entries, hits are dropped and counted, and the rest still flush. */
@QuarkusTest
@TestProfile(HitBoundTest.ThreeKeys.class)
class HitBoundTest {

    public static class ThreeKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pgcache.hits.max-tracked-keys", "3", "pgcache.hits.flush-batch-size", "2");
        }
    }

    @Inject
    HitFlusher flusher;

    @Test
    void hitsBeyondTheBoundAreDroppedAndCounted() {
        String ns = Namespaces.fresh("hitbound");
        for (int i = 1; i <= 5; i++) {
            given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/k" + i).then().statusCode(201);
        }
        for (int i = 1; i <= 5; i++) {
            given().get("/v1/cache/" + ns + "/k" + i).then().statusCode(200);
        }
        given().get("/v1/cache/" + ns + "/k1").then().statusCode(200); // an entry already tracked still counts

        assertEquals(3, flusher.flush(), "three entries tracked, flushed in two statements of at most two");
        Object sum = TestDatabase.scalar("SELECT sum(hit_count) FROM pgcache.cache_entry WHERE namespace = ?", ns);
        assertEquals(4L, ((Number) sum).longValue());
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("pgcache_hits_dropped_total 2.0"))
                .body(containsString("pgcache_hits_flushed_total 3.0"));
    }
}
