package dev.pgcache.tracing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.Namespaces;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Off by default: requests, statements and loads make no span at all. */
@QuarkusTest
class TracingOffTest {

    @Inject
    InMemorySpanExporter exporter;

    @Inject
    Tracing tracing;

    @Test
    void noSpanIsMadeWhenTracingIsOff() {
        assertFalse(tracing.on());
        String ns = Namespaces.fresh("trace-off");
        given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/k").then().statusCode(201);
        given().get("/v1/cache/" + ns + "/k").then().statusCode(200);
        given().get("/v1/cache/rt/off-" + System.nanoTime()).then().statusCode(200);
        // none for as long as a batch processor, were one running, would take to export them
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertEquals(List.of(), exporter.getFinishedSpanItems()));
    }
}
