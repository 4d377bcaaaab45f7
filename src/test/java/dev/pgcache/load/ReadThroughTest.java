package dev.pgcache.load;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.TestDatabase;
import dev.pgcache.testing.UpstreamControl;
import dev.pgcache.testing.UpstreamServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** GET on namespaces with an upstream, against the real upstream on loopback and the real database. */
@QuarkusTest
class ReadThroughTest {

    private final UpstreamControl upstream = UpstreamControl.fromConfig();

    private static RequestSpecification req() {
        return given().urlEncodingEnabled(false);
    }

    private static Response get(String ns, String key) {
        return req().get("/v1/cache/" + ns + "/" + key);
    }

    private static Response get(String ns, String key, String cacheControl) {
        return req().header("Cache-Control", cacheControl).get("/v1/cache/" + ns + "/" + key);
    }

    @Test
    void missLoadsStoresAndAnswersMissThenHitsWithoutCallingAgain() {
        String key = Keys.fresh("miss");
        Response first = get("rt", key);
        first.then().statusCode(200).contentType("application/json")
                .header("X-Cache", "MISS")
                .header("Cache-Control", "max-age=60, stale-while-revalidate=120, stale-if-error=120")
                .header("Age", "0")
                .body("key", is(key), "call", is(1));
        Response second = get("rt", key);
        second.then().statusCode(200).header("X-Cache", "HIT").header("ETag", first.header("ETag"));
        assertEquals(first.asString(), second.asString(), "a MISS answers exactly what later hits answer");
        assertEquals(1, upstream.calls(key));
    }

    @Test
    void ifNoneMatchGives304OnReadThroughToo() {
        String key = Keys.fresh("etag");
        String etag = get("rt", key).then().statusCode(200).extract().header("ETag");
        req().header("If-None-Match", etag).get("/v1/cache/rt/" + key).then().statusCode(304).header("X-Cache", "HIT");
        assertEquals(1, upstream.calls(key));
    }

    @Test
    void staleHitIsAnsweredAtOnceAndRefreshedInTheBackground() {
        String key = Keys.fresh("swr");
        get("rt", key).then().statusCode(200).body("call", is(1));
        TestDatabase.setLifetime("rt", key, -5, 100L);
        get("rt", key).then().statusCode(200).header("X-Cache", "STALE").body("call", is(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.calls(key) == 2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> get("rt", key).then().header("X-Cache", "HIT").body("call", is(2)));
    }

    @Test
    void aCopyInMemoryThatTurnsStaleIsRefreshedOnceInTheBackgroundToo() {
        String key = Keys.fresh("swr-near");
        get("rt", key).then().statusCode(200).body("call", is(1));
        TestDatabase.setLifetime("rt", key, 1, 100L);
        get("rt", key).then().statusCode(200).header("X-Cache", "HIT");
        get("rt", key).then().statusCode(200).header("X-Cache", "HIT").header("Cache-Status", containsString("detail=memory"));
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Response r = get("rt", key);
            return "STALE".equals(r.header("X-Cache")) && r.header("Cache-Status").contains("detail=memory");
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.calls(key) == 2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> get("rt", key).then().header("X-Cache", "HIT").body("call", is(2)));
        assertEquals(2, upstream.calls(key), "one refresh, however many stale reads");
    }

    @Test
    void noCacheForcesAReload() {
        String key = Keys.fresh("nocache");
        get("rt", key).then().statusCode(200).body("call", is(1));
        get("rt", key, "no-cache").then().statusCode(200).header("X-Cache", "MISS").body("call", is(2));
        get("rt", key).then().statusCode(200).header("X-Cache", "HIT").body("call", is(2));
    }

    @Test
    void noCacheNeverFallsBackToTheStoredValue() {
        String key = Keys.fresh("nocache-fail");
        get("rt", key).then().statusCode(200);
        upstream.answer(key, 503, "down", "text/plain");
        get("rt", key, "no-cache").then().statusCode(502).header("X-Cache", "MISS")
                .body("type", is("urn:pgcache:problem:upstream-error"));
    }

    @Test
    void onlyIfCachedNeverCallsTheUpstream() {
        String key = Keys.fresh("oic");
        get("rt", key, "only-if-cached").then().statusCode(504).contentType("application/problem+json")
                .header("X-Cache", "MISS").body("type", is("urn:pgcache:problem:not-cached"));
        assertEquals(0, upstream.calls(key));
        get("rt", key).then().statusCode(200);
        get("rt", key, "only-if-cached").then().statusCode(200).header("X-Cache", "HIT");
        // stale and only-if-cached: answered, but no refresh is started
        TestDatabase.setLifetime("rt", key, -5, 100L);
        get("rt", key, "only-if-cached").then().statusCode(200).header("X-Cache", "STALE");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> upstream.calls(key) == 1);
    }

    @Test
    void maxStaleBoundsHowStaleAnAnswerMayBe() {
        String key = Keys.fresh("maxstale");
        get("rt", key).then().statusCode(200).body("call", is(1));
        TestDatabase.setLifetime("rt", key, -30, 100L); // 30 s past expiry, inside the window
        get("rt", key, "max-stale=60").then().statusCode(200).header("X-Cache", "STALE").body("call", is(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.calls(key) == 2); // its background refresh
        TestDatabase.setLifetime("rt", key, -30, 100L);
        // too stale for this caller: loaded in the foreground
        get("rt", key, "max-stale=10").then().statusCode(200).header("X-Cache", "MISS").body("call", is(3));
        TestDatabase.setLifetime("rt", key, -30, 100L);
        get("rt", key, "max-stale").then().statusCode(200).header("X-Cache", "STALE");
    }

    @Test
    void minFreshAndMaxAgeReloadValuesThatAreNotFreshEnough() {
        String key = Keys.fresh("minfresh");
        get("rt", key).then().statusCode(200).body("call", is(1));
        get("rt", key, "min-fresh=30").then().statusCode(200).header("X-Cache", "HIT").body("call", is(1));
        TestDatabase.setLifetime("rt", key, 10, 100L); // fresh for 10 s more
        get("rt", key, "min-fresh=30").then().statusCode(200).header("X-Cache", "MISS").body("call", is(2));
        // now 0 s old: max-age=0 reloads, max-age=3600 does not
        get("rt", key, "max-age=3600").then().statusCode(200).header("X-Cache", "HIT").body("call", is(2));
        TestDatabase.execute("UPDATE pgcache.cache_entry SET fetched_at = now() - interval '20 seconds' WHERE namespace = 'rt' AND cache_key = ?", key);
        get("rt", key, "max-age=10").then().statusCode(200).header("X-Cache", "MISS").body("call", is(3));
    }

    @Test
    void aFailedForegroundLoadFallsBackToTheStoredValue() {
        String key = Keys.fresh("sie");
        get("rt", key).then().statusCode(200).body("call", is(1));
        TestDatabase.setLifetime("rt", key, 10, 100L);
        upstream.answer(key, 500, "{}", "application/json");
        // min-fresh makes it load; the load fails; the stored value answers (stale-if-error)
        get("rt", key, "min-fresh=30").then().statusCode(200).header("X-Cache", "STALE").body("call", is(1));
    }

    @Test
    void upstreamDownServesStaleThenFailsOnceTheWindowHasPassed() {
        String key = Keys.fresh("down");
        get("rt", key).then().statusCode(200).body("call", is(1));
        upstream.answer(key, 503, "maintenance", "text/plain");
        TestDatabase.setLifetime("rt", key, -5, 2L); // expired, servable stale for 2 s more
        get("rt", key).then().statusCode(200).header("X-Cache", "STALE").body("call", is(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> upstream.calls(key) >= 2); // the refresh was tried and failed
        get("rt", key).then().statusCode(200).header("X-Cache", "STALE").body("call", is(1));
        TestDatabase.setLifetime("rt", key, -10, -1L); // the window has passed
        get("rt", key).then().statusCode(502).contentType("application/problem+json").header("X-Cache", "MISS")
                .body("type", is("urn:pgcache:problem:upstream-error"), "detail", containsString("answered HTTP 503"),
                        "detail", containsString("'rt'"));
    }

    @Test
    void upstreamTimeoutIs504AndNothingIsStored() {
        String key = Keys.fresh("slow");
        upstream.slow(key, 1500); // rt-fail: 300 ms timeout, 2 retries
        get("rt-fail", key).then().statusCode(504).header("X-Cache", "MISS")
                .body("type", is("urn:pgcache:problem:upstream-timeout"), "detail", containsString("300 ms"));
        assertEquals(3, upstream.calls(key), "one call and two retries");
        get("rt-fail", key, "only-if-cached").then().statusCode(504);
    }

    @Test
    void retriesWithBackoffRecoverFromTransientFailures() {
        String key = Keys.fresh("retry");
        upstream.script(key, new UpstreamServer.Script(null, null, null, null, null, 2, 503));
        get("rt-fail", key).then().statusCode(200).header("X-Cache", "MISS").body("call", is(3));
        assertEquals(3, upstream.calls(key));
    }

    @Test
    void clientErrorsAreNotRetried() {
        String key = Keys.fresh("403");
        upstream.answer(key, 403, "{\"error\":\"forbidden\"}", "application/json");
        get("rt-fail", key).then().statusCode(502).body("type", is("urn:pgcache:problem:upstream-error"),
                "detail", containsString("answered HTTP 403"));
        assertEquals(1, upstream.calls(key));
    }

    @Test
    void errorsAreNeverCached() {
        String key = Keys.fresh("nocache-errors");
        upstream.answer(key, 500, "{\"error\":1}", "application/json");
        get("rt", key).then().statusCode(502);
        get("rt", key).then().statusCode(502);
        assertEquals(2, upstream.calls(key));
        upstream.answer(key, 200, "{\"ok\":true}", "application/json");
        get("rt", key).then().statusCode(200).header("X-Cache", "MISS").body("ok", is(true));
    }

    @Test
    void nonJsonAnswersAre502() {
        String html = Keys.fresh("html");
        upstream.answer(html, 200, "<html>hi</html>", "text/html");
        get("rt", html).then().statusCode(502).body("type", is("urn:pgcache:problem:upstream-invalid-answer"),
                "detail", containsString("text/html"));
        String broken = Keys.fresh("broken");
        upstream.answer(broken, 200, "{\"a\":", "application/json");
        get("rt", broken).then().statusCode(502).body("type", is("urn:pgcache:problem:upstream-invalid-answer"));
        String two = Keys.fresh("two");
        upstream.answer(two, 200, "1 2", "application/json");
        get("rt", two).then().statusCode(502);
        get("rt", broken, "only-if-cached").then().statusCode(504);
    }

    @Test
    void answersLargerThanTheValueLimitAre502() {
        String key = Keys.fresh("huge");
        upstream.answer(key, 200, "\"" + "x".repeat(1_100_000) + "\"", "application/json");
        get("rt", key).then().statusCode(502).body("type", is("urn:pgcache:problem:upstream-invalid-answer"),
                "detail", containsString("max-value-size"));
    }

    @Test
    void aNotFoundIsA404AndIsNotRememberedWithoutNegativeTtl() {
        String key = Keys.fresh("404");
        upstream.answer(key, 404, "{}", "application/json");
        get("rt", key).then().statusCode(404).contentType("application/problem+json").header("X-Cache", "MISS")
                .body("type", is("urn:pgcache:problem:upstream-not-found"));
        get("rt", key).then().statusCode(404);
        assertEquals(2, upstream.calls(key));
    }

    @Test
    void aNotFoundIsRememberedAsANegativeEntryForNegativeTtl() {
        String key = Keys.fresh("neg");
        upstream.answer(key, 404, "nothing", "text/plain");
        get("rt-neg", key).then().statusCode(404).header("X-Cache", "MISS").header("Cache-Control", "max-age=30")
                .body("type", is("urn:pgcache:problem:upstream-not-found"));
        get("rt-neg", key).then().statusCode(404).header("X-Cache", "NEGATIVE").header("Cache-Control", "max-age=30")
                .body("type", is("urn:pgcache:problem:upstream-not-found"));
        assertEquals(1, upstream.calls(key));
        // a DBA sees the negative entry as a row tagged pgcache:negative
        assertEquals(1, TestDatabase.execute("UPDATE pgcache.cache_entry SET hit_count = hit_count "
                + "WHERE namespace = 'rt-neg' AND cache_key = ? AND 'pgcache:negative' = ANY(tags)", key));
        // no-cache asks again; once the upstream has the value, it replaces the negative entry
        upstream.answer(key, 200, "{\"now\":\"here\"}", "application/json");
        get("rt-neg", key, "no-cache").then().statusCode(200).header("X-Cache", "MISS").body("now", is("here"));
        get("rt-neg", key).then().statusCode(200).header("X-Cache", "HIT");
    }

    @Test
    void aNotFoundDuringRefreshStopsTheStaleValueFromBeingServed() {
        String key = Keys.fresh("gone");
        get("rt", key).then().statusCode(200);
        upstream.answer(key, 404, "{}", "application/json");
        TestDatabase.setLifetime("rt", key, -5, 100L);
        get("rt", key).then().statusCode(200).header("X-Cache", "STALE");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> get("rt", key, "only-if-cached").then().statusCode(504));
    }

    @Test
    void honorMaxAgeLetsTheUpstreamSetTheTtl() {
        String key = Keys.fresh("maxage");
        upstream.script(key, new UpstreamServer.Script(200, "{\"v\":1}", "application/json",
                java.util.Map.of("Cache-Control", "public, max-age=600", "Age", "100"), null, null, null));
        get("rt-maxage", key).then().statusCode(200).header("Cache-Control", "max-age=500, stale-while-revalidate=120, stale-if-error=120");
        String plain = Keys.fresh("maxage-ignored");
        upstream.script(plain, new UpstreamServer.Script(200, "{\"v\":1}", "application/json",
                java.util.Map.of("Cache-Control", "max-age=600"), null, null, null));
        get("rt", plain).then().statusCode(200).header("Cache-Control", "max-age=60, stale-while-revalidate=120, stale-if-error=120");
    }

    @Test
    void minRevisionCannotBeMetByLoadedValues() {
        String key = Keys.fresh("minrev");
        req().get("/v1/cache/rt/" + key + "?min-revision=5").then().statusCode(404)
                .body("type", is("urn:pgcache:problem:cache-miss"));
        req().get("/v1/cache/rt/" + key).then().statusCode(200).header("X-Cache", "HIT");
    }

    @Test
    void aBadCacheControlIs400() {
        get("rt", Keys.fresh("badcc"), "max-stale=soon").then().statusCode(400).contentType("application/problem+json")
                .body("type", is("urn:pgcache:problem:invalid-cache-control"));
    }

    @Test
    void writesStillWorkOnReadThroughNamespaces() {
        String key = Keys.fresh("put");
        given().contentType("application/json").body("{\"mine\":1}").put("/v1/cache/rt/" + key).then().statusCode(201);
        get("rt", key).then().statusCode(200).header("X-Cache", "HIT").body("mine", is(1));
        assertEquals(0, upstream.calls(key));
    }

    @Test
    void namespacesWithoutUpstreamStillMiss() {
        given().get("/v1/cache/" + Keys.fresh("plain-ns") + "/k").then().statusCode(404).header("X-Cache", "MISS")
                .body("type", is("urn:pgcache:problem:cache-miss"));
    }

    @Test
    void metricsShowLoadsLatencyAndErrorsPerNamespace() {
        String key = Keys.fresh("metrics");
        get("rt", key).then().statusCode(200);
        String failing = Keys.fresh("metrics-fail");
        upstream.answer(failing, 502, "x", "text/plain");
        get("rt", failing).then().statusCode(502);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("pgcache_upstream_latency_seconds_count{namespace=\"rt\",outcome=\"ok\"}"))
                .body(containsString("pgcache_upstream_latency_seconds_count{namespace=\"rt\",outcome=\"server_error\"}"))
                .body(containsString("pgcache_loads_total{namespace=\"rt\",result=\"loaded\",trigger=\"foreground\"}"))
                .body(containsString("pgcache_upstream_errors_total{kind=\"server_error\",namespace=\"rt\"}"))
                .body(containsString("pgcache_upstream_circuit_state{namespace=\"rt-cb\"}"))
                .body(not(containsString("s3cr3t")));
    }

    @Test
    void storedBodyIsTheNormalizedJson() {
        String key = Keys.fresh("norm");
        upstream.answer(key, 200, "{\"b\":1,   \"a\":[1,2]}", "application/json; charset=utf-8");
        get("rt", key).then().statusCode(200).body(equalTo("{\"a\": [1, 2], \"b\": 1}"));
    }
}
