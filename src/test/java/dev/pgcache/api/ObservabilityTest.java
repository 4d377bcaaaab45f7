package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class ObservabilityTest {

    @Test
    void healthChecksAreUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", is("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", is("UP"), "checks.name", org.hamcrest.Matchers.hasItems("pgcache-database", "pgcache-head-guard"));
    }

    @Test
    void metricsCountEveryKindOfEventPerNamespace() {
        String ns = Namespaces.fresh("metrics");
        given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/a?ttl=60&stale=600").then().statusCode(201);
        given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/b").then().statusCode(201);
        given().get("/v1/cache/" + ns + "/a").then().statusCode(200);
        given().get("/v1/cache/" + ns + "/a").then().statusCode(200);
        given().get("/v1/cache/" + ns + "/nope").then().statusCode(404);
        TestDatabase.setLifetime(ns, "a", -1, 100L);
        given().get("/v1/cache/" + ns + "/a").then().statusCode(200).header("X-Cache", "STALE");
        given().delete("/v1/cache/" + ns + "/b").then().statusCode(204);
        TestDatabase.setLifetime(ns, "a", -100, -50L);
        given().post("/v1/admin/purge").then().statusCode(200);

        String tag = "{namespace=\"" + ns + "\"}";
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("pgcache_hits_total" + tag + " 2.0"))
                .body(containsString("pgcache_stale_hits_total" + tag + " 1.0"))
                .body(containsString("pgcache_misses_total" + tag + " 1.0"))
                .body(containsString("pgcache_writes_total" + tag + " 2.0"))
                .body(containsString("pgcache_invalidations_total" + tag + " 1.0"))
                .body(containsString("pgcache_purged_total" + tag + " 1.0"))
                .body(containsString("pgcache_purge_duration_seconds_count"));
    }

    @Test
    void openApiAndSwaggerUiAreServed() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/v1/cache/{namespace}/{key}"))
                .body(containsString("/v1/admin/purge"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }
}
