package dev.pgcache.api;

import static io.restassured.RestAssured.given;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.ThreadReport;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The JAX-RS GET of one key runs on a virtual thread (@RunOnVirtualThread, docs/benchmarks.md
 * "Thread model"), declared on the resource class while its route and OpenAPI text live on an
 * interface; the other endpoints stay on the worker pool.
 */
@QuarkusTest
class ThreadModelTest {

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("threads");
    }

    @Test
    void aGetTheResourceAnswersRunsOnAVirtualThread() {
        given().contentType(ContentType.JSON).body("{\"a\":1}").header(ThreadReport.ASK, "1")
                .put("/v1/cache/" + ns + "/k").then().statusCode(201).header(ThreadReport.VIRTUAL, "false");
        // a query string takes the GET past CacheGetRoute to the JAX-RS method
        given().header(ThreadReport.ASK, "1").get("/v1/cache/" + ns + "/k?min-revision=0").then().statusCode(404)
                .header(ThreadReport.VIRTUAL, "true");
        given().contentType(ContentType.JSON).body("{\"a\":1}").header("X-Revision", "3")
                .put("/v1/cache/" + ns + "/k").then().statusCode(200);
        given().header(ThreadReport.ASK, "1").get("/v1/cache/" + ns + "/k?min-revision=2").then().statusCode(200)
                .header(ThreadReport.VIRTUAL, "true");
        given().header(ThreadReport.ASK, "1").get("/v1/cache/" + ns).then().statusCode(200)
                .header(ThreadReport.VIRTUAL, "false");
    }
}
