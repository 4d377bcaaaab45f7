package dev.pgcache.tracing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.TestKeys;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * With traces switched on by configuration, a read-through miss is one trace: the HTTP server
 * span, the wait for the load, the load on its own thread with its statements and the upstream
 * call, in that order and with those parents; and nothing a caller chose as a key, nor the
 * bearer token, is in any span.
 */
@QuarkusTest
@TestProfile(TracingTest.TracingOn.class)
class TracingTest {

    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "50ms");
        }
    }

    @Inject
    InMemorySpanExporter exporter;

    @Inject
    Tracing tracing;

    @BeforeEach
    void forgetEarlierSpans() {
        exporter.reset();
    }

    @Test
    void aReadThroughMissIsOneTreeOfSpans() {
        assertTrue(tracing.on());
        String key = "acct-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        given().get("/v1/cache/rt/" + key).then().statusCode(200).header("X-Cache", "MISS");

        List<SpanData> spans = awaitTrace("sql UPSERT");
        SpanData server = only(spans, s -> s.getKind() == SpanKind.SERVER, "the HTTP server span");
        SpanData wait = named(spans, "pgcache.load.wait");
        SpanData load = named(spans, "pgcache.load");
        SpanData lock = named(spans, "sql TRY_LOAD_LOCK");
        SpanData upstream = named(spans, "pgcache.upstream");
        SpanData upsert = named(spans, "sql UPSERT");

        assertFalse(server.getParentSpanContext().isValid(), "the server span is the root");
        assertEquals(server.getSpanId(), wait.getParentSpanId(), "the wait for the load is the request's");
        assertEquals(wait.getSpanId(), load.getParentSpanId(), "the load, on a loader thread, is the wait's child");
        assertEquals(load.getSpanId(), lock.getParentSpanId());
        assertEquals(load.getSpanId(), upstream.getParentSpanId());
        assertEquals(load.getSpanId(), upsert.getParentSpanId());
        assertTrue(lock.getStartEpochNanos() <= upstream.getStartEpochNanos()
                && upstream.getEndEpochNanos() <= upsert.getStartEpochNanos(), "lock, then upstream call, then store");

        for (SpanData s : List.of(wait, load, upstream)) {
            assertEquals("rt", s.getAttributes().get(Tracing.NAMESPACE), s.getName() + " names its namespace");
        }
        assertEquals(false, wait.getAttributes().get(AttributeKey.booleanKey("pgcache.load.joined")));
        assertEquals("ok", upstream.getAttributes().get(AttributeKey.stringKey("pgcache.upstream.outcome")));
        assertEquals("UPSERT", upsert.getAttributes().get(AttributeKey.stringKey("pgcache.statement")));
        // the read that missed, before the load: a statement of the request itself
        assertTrue(spans.stream().anyMatch(s -> s.getName().equals("sql GET") && s.getParentSpanId().equals(server.getSpanId())),
                "the first read is a statement span under the server span: " + names(spans));

        assertNothingSays(spans, key);
        assertNothingSays(spans, TestKeys.ALL);
    }

    @Test
    void keysAndTokensStayOutOfEverySpanOfWritesAndPlainReads() {
        String ns = "trace-plain";
        String key = "acct-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        given().contentType(ContentType.JSON).body("{\"v\":1}").put("/v1/cache/" + ns + "/" + key + "?tag=t-" + key).then().statusCode(201);
        given().get("/v1/cache/" + ns + "?prefix=" + key).then().statusCode(200);
        given().get("/v1/cache/" + ns + "/" + key).then().statusCode(200);
        given().header("Authorization", "Bearer " + TestKeys.READER).get("/v1/cache/" + ns + "/" + key).then().statusCode(403);

        await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == SpanKind.SERVER).count() >= 4);
        List<SpanData> spans = exporter.getFinishedSpanItems();
        assertTrue(spans.stream().anyMatch(s -> s.getName().startsWith("sql ")), "statements are traced: " + names(spans));
        assertNothingSays(spans, key);
        assertNothingSays(spans, TestKeys.ALL);
        assertNothingSays(spans, TestKeys.READER);
    }

    @Test
    void metricsCarryNoExemplarsEvenWithTracingOn() {
        given().get("/v1/cache/rt/exemplar-" + System.nanoTime()).then().statusCode(200);
        String metrics = given().header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8")
                .get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("http_server_requests_seconds_bucket"), "the OpenMetrics exposition has the buckets");
        assertFalse(metrics.contains("trace_id"), "no exemplar (dev.pgcache.metrics.NoExemplars)");
    }

    /** The spans of the trace that holds a span of that name, once all of them have ended. */
    private List<SpanData> awaitTrace(String name) {
        String[] trace = new String[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Optional<SpanData> s = exporter.getFinishedSpanItems().stream().filter(d -> d.getName().equals(name)).findFirst();
            s.ifPresent(d -> trace[0] = d.getTraceId());
            return s.isPresent() && exporter.getFinishedSpanItems().stream()
                    .anyMatch(d -> d.getTraceId().equals(trace[0]) && d.getKind() == SpanKind.SERVER);
        });
        return exporter.getFinishedSpanItems().stream().filter(d -> d.getTraceId().equals(trace[0])).toList();
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return only(spans, s -> s.getName().equals(name), name);
    }

    private static SpanData only(List<SpanData> spans, java.util.function.Predicate<SpanData> which, String what) {
        List<SpanData> found = spans.stream().filter(which).toList();
        assertEquals(1, found.size(), "one " + what + " in " + names(spans));
        return found.get(0);
    }

    private static List<String> names(List<SpanData> spans) {
        List<String> n = new ArrayList<>();
        spans.forEach(s -> n.add(s.getName() + "(" + s.getSpanId() + "<" + s.getParentSpanId() + ")"));
        return n;
    }

    private static void assertNothingSays(List<SpanData> spans, String secret) {
        for (SpanData s : spans) {
            assertFalse(s.getName().contains(secret), "span name " + s.getName());
            s.getAttributes().forEach((k, v) -> assertFalse(String.valueOf(v).contains(secret),
                    "span " + s.getName() + " attribute " + k + " = " + v));
            s.getEvents().forEach(e -> assertFalse(e.getAttributes().toString().contains(secret), "an event of " + s.getName()));
            assertFalse(s.getStatus().getDescription().contains(secret), "status of " + s.getName());
        }
    }
}
