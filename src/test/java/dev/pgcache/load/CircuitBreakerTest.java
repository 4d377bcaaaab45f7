package dev.pgcache.load;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.TestDatabase;
import dev.pgcache.testing.UpstreamControl;
import io.quarkus.test.junit.QuarkusTest;

/** rt-cb: over 4 calls, 2 failures open the circuit for 4 s; then one trial call closes it again. */
@QuarkusTest
class CircuitBreakerTest {

    private final UpstreamControl upstream = UpstreamControl.fromConfig();

    @Test
    void aFailingUpstreamOpensTheCircuitWhichAnswersFastThenRecovers() {
        String prefix = Keys.fresh("cb");
        String stale = prefix + "-stale";
        given().get("/v1/cache/rt-cb/" + stale).then().statusCode(200);
        for (int i = 0; i < 4; i++) {
            upstream.answer(prefix + i, 503, "down", "text/plain");
            given().get("/v1/cache/rt-cb/" + prefix + i).then().statusCode(502);
        }
        // right away, before the circuit's 4 s are up: the circuit shows open, a key without a value fails fast ...
        given().get("/q/metrics").then().body(containsString("pgcache_upstream_circuit_state{namespace=\"rt-cb\"} 2.0"));
        String next = prefix + "-next";
        given().get("/v1/cache/rt-cb/" + next).then().statusCode(502).header("Retry-After", "4").header("X-Cache", "MISS")
                .body("type", is("urn:pgcache:problem:upstream-circuit-open"), "detail", containsString("circuit breaker is open"));
        assertEquals(0, upstream.calls(next), "an open circuit does not call the upstream");
        // ... and a stored value still answers (stale-if-error)
        TestDatabase.setLifetime("rt-cb", stale, 10, 100L);
        given().header("Cache-Control", "min-fresh=60").get("/v1/cache/rt-cb/" + stale).then().statusCode(200).header("X-Cache", "STALE");

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> given().get("/v1/cache/rt-cb/" + next).then().statusCode(200).header("X-Cache", "MISS"));
        given().get("/q/metrics").then().body(containsString("pgcache_upstream_circuit_state{namespace=\"rt-cb\"} 0.0"));
    }
}
