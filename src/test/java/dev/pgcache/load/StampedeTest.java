package dev.pgcache.load;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.TestDatabase;
import dev.pgcache.testing.UpstreamControl;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Many callers of one key at once, in one replica: one upstream call, however many ask; a stale
 * key under load gets one background refresh; waiters that run out of patience get a 504
 * without starting a second call. 200 callers is 10 times the connection pool (20): they wait in
 * memory, not on connections, or these tests would see 503s from pool exhaustion.
 */
@QuarkusTest
class StampedeTest {

    private static final int CALLERS = 200;

    @TestHTTPResource("/v1/cache/")
    URL cache;

    private final UpstreamControl upstream = UpstreamControl.fromConfig();

    private URI uri(String ns, String key) throws Exception {
        return cache.toURI().resolve(ns + "/" + key);
    }

    @Test
    void twoHundredConcurrentMissesMakeOneUpstreamCall() throws Exception {
        String key = Keys.fresh("stampede");
        upstream.slow(key, 1000);
        double coalescedBefore = Metrics.value(COALESCED);
        double loadedBefore = Metrics.value(LOADED);
        double reusedBefore = Metrics.value(REUSED);
        List<HttpResponse<String>> answers = Concurrent.gets(uri("rt", key), CALLERS);

        assertEquals(1, upstream.calls(key), "upstream calls for " + CALLERS + " concurrent misses");
        Map<Integer, Long> statuses = answers.stream().collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
        assertEquals(Map.of(200, (long) CALLERS), statuses);
        Set<String> bodies = answers.stream().map(HttpResponse::body).collect(Collectors.toSet());
        assertEquals(1, bodies.size(), "every caller got the one loaded value");
        Set<String> etags = answers.stream().map(r -> r.headers().firstValue("ETag").orElse("")).collect(Collectors.toSet());
        assertEquals(1, etags.size());
        long misses = answers.stream().filter(r -> r.headers().firstValue("X-Cache").orElse("").equals("MISS")).count();
        assertTrue(misses >= 2, "callers that waited for the load answer MISS, got " + misses);
        // every MISS either started the one load, joined it, or (arriving just as it ended) found its value under the lock
        double loaded = Metrics.value(LOADED) - loadedBefore;
        double coalesced = Metrics.value(COALESCED) - coalescedBefore;
        double reused = Metrics.value(REUSED) - reusedBefore;
        assertEquals(1, loaded);
        assertEquals(misses, loaded + coalesced + reused, "loaded " + loaded + ", coalesced " + coalesced + ", reused " + reused);
    }

    private static final String COALESCED = "pgcache_load_coalesced_total{namespace=\"rt\"}";
    private static final String LOADED = "pgcache_loads_total{namespace=\"rt\",result=\"loaded\",trigger=\"foreground\"}";
    private static final String REUSED = "pgcache_loads_total{namespace=\"rt\",result=\"reused\",trigger=\"foreground\"}";

    @Test
    void aStaleKeyUnderLoadIsRefreshedExactlyOnce() throws Exception {
        String key = Keys.fresh("stale-stampede");
        given().urlEncodingEnabled(false).get("/v1/cache/rt/" + key).then().statusCode(200).body("call", is(1));
        upstream.slow(key, 1000);
        TestDatabase.setLifetime("rt", key, -5, 100L);

        List<HttpResponse<String>> answers = Concurrent.gets(uri("rt", key), CALLERS);

        assertTrue(answers.stream().allMatch(r -> r.statusCode() == 200));
        long stale = answers.stream().filter(r -> r.headers().firstValue("X-Cache").orElse("").equals("STALE")).count();
        assertTrue(stale > 0, "stale hits are answered at once");
        await().atMost(Duration.ofSeconds(10)).until(() -> upstream.calls(key) == 2);
        // the one refresh lands (its upstream answers after 1 s), and no second refresh follows
        await().atMost(Duration.ofSeconds(10)).until(() -> "HIT".equals(
                given().urlEncodingEnabled(false).get("/v1/cache/rt/" + key).header("X-Cache")));
        given().urlEncodingEnabled(false).get("/v1/cache/rt/" + key).then().statusCode(200)
                .header("X-Cache", "HIT").body("call", is(2));
        assertEquals(2, upstream.calls(key), "one load and exactly one refresh");
    }

    @Test
    void waitersThatTimeOutGet504AndStartNoSecondCall() throws Exception {
        String key = Keys.fresh("impatient");
        upstream.slow(key, 1500); // rt-wait gives up waiting after 400 ms
        List<HttpResponse<String>> answers = Concurrent.gets(uri("rt-wait", key), 50);

        assertTrue(answers.stream().allMatch(r -> r.statusCode() == 504), "every waiter gets a 504");
        assertTrue(answers.get(0).body().contains("urn:pgcache:problem:upstream-wait-timeout"), answers.get(0).body());
        // a caller arriving while the load still runs joins it instead of calling again
        given().urlEncodingEnabled(false).get("/v1/cache/rt-wait/" + key).then().statusCode(504);
        // the load itself finishes and stores its value for the next reader
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> given().urlEncodingEnabled(false)
                .get("/v1/cache/rt-wait/" + key).then().statusCode(200).header("X-Cache", "HIT"));
        assertEquals(1, upstream.calls(key));
    }

    @Test
    void manyDistinctColdKeysAtOnceNeverExhaustThePool() throws Exception {
        List<URI> uris = new java.util.ArrayList<>();
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            String key = Keys.fresh("distinct");
            keys.add(key);
            uris.add(uri("rt", key));
        }
        // every key is a load of its own: at most pgcache.load.max-concurrent of them hold a connection
        List<HttpResponse<String>> answers = Concurrent.gets(uris);
        Map<Integer, Long> statuses = answers.stream().collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));
        assertEquals(Map.of(200, (long) CALLERS), statuses);
        for (String key : keys.subList(0, 10)) {
            assertEquals(1, upstream.calls(key));
        }
    }
}
