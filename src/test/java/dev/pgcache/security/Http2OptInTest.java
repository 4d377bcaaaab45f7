package dev.pgcache.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.H2Client;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestKeys;
import dev.pgcache.testing.TestTls;
import dev.pgcache.testing.Trickle;
import io.netty.handler.codec.http2.Http2Headers;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * HTTP/2 is off by default (HttpVersionTest); an operator who turns it on
 * ({@code quarkus.http.http2=true}) gets HTTP/2 with prior knowledge in cleartext and by ALPN over
 * TLS, with access decided by the same front door and the request-head deadline kept by the
 * FrameGuard (pgcache.limits.head-timeout, 1 s here): a frame or a header block trickled is cut with
 * a GOAWAY (ENHANCE_YOUR_CALM) and a close; a connection idle between streams and a slow body are
 * left alone. The h2c Upgrade is ignored (served as HTTP/1.1), since its HTTP/2 would start past
 * the guards.
 */
@QuarkusTest
@TestProfile(Http2OptInTest.Http2On.class)
class Http2OptInTest {

    public static class Http2On implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(TestTls.serverConfig());
            config.put("quarkus.http.http2", "true");
            config.put("pgcache.limits.head-timeout", "1s");
            config.put("quarkus.http.idle-timeout", "30S");
            return config;
        }
    }

    private static final long DEADLINE_MS = 1_000;
    /** Far above the deadline and far below the idle timeout, which a trickle keeps from passing anyway. */
    private static final long MARGIN_MS = 8_000;
    private static final int ENHANCE_YOUR_CALM = 0xb;

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    /** An HTTP/2 connection: cleartext with prior knowledge, or TLS with h2 chosen by ALPN. */
    private H2Client connect(boolean tls) throws Exception {
        if (!tls) {
            return new H2Client(new Socket("127.0.0.1", RestAssured.port));
        }
        SSLSocket s = TestTls.connect(https.getPort(), "h2");
        assertEquals("h2", s.getApplicationProtocol());
        return new H2Client(s);
    }

    @Test
    void priorKnowledgeAndAlpnAreServedAndAccessIsDecided() throws Exception {
        for (boolean tls : new boolean[] { false, true }) {
            try (H2Client h2 = connect(tls)) {
                H2Client.Answer me = h2.get(1, H2Client.request("GET", "/v1/me", TestKeys.ALL));
                assertEquals(200, me.status(), me.body());
                H2Client.Answer anonymous = h2.get(3, H2Client.request("GET", "/v1/me", null));
                assertEquals(401, anonymous.status(), anonymous.body());
                assertTrue(anonymous.headers().get("content-type").toString().startsWith("application/problem+json"), anonymous.headers().toString());
                H2Client.Answer oddPath = h2.get(5, H2Client.request("GET", "/v1//me/../me", null));
                assertTrue(oddPath.status() >= 400 && oddPath.status() < 500, oddPath.status() + " " + oddPath.body());
                assertTrue(oddPath.headers().get("content-type").toString().startsWith("application/problem+json"), oddPath.headers().toString());
            }
        }
    }

    @Test
    void anUpgradeToH2cIsServedAsHttp11() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build(); // asks for Upgrade: h2c over http://
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/me"))
                .header("Authorization", "Bearer " + TestKeys.ALL).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(HttpClient.Version.HTTP_1_1, r.version());
    }

    @Test
    void aHeadersFrameTrickledIsCutAtTheDeadline() throws Exception {
        for (boolean tls : new boolean[] { false, true }) {
            try (H2Client h2 = connect(tls)) {
                Http2Headers headers = H2Client.request("GET", "/q/health/live", null).add("x-slow", "a".repeat(200));
                byte[] frame = H2Client.frame(H2Client.HEADERS, H2Client.END_HEADERS | H2Client.END_STREAM, 1, h2.encode(1, headers));
                assertCutWithGoAway(h2, frame, 200);
            }
        }
    }

    @Test
    void aHeaderBlockOfSlowContinuationsIsCutAtTheDeadline() throws Exception {
        // every frame arrives whole and at once, but the block they make takes 30 s: the deadline is the block's
        try (H2Client h2 = connect(false)) {
            byte[] block = h2.encode(1, H2Client.request("GET", "/q/health/live", null).add("x-slow", "b".repeat(300)));
            int pieces = 100;
            int size = (block.length + pieces - 1) / pieces;
            long start = System.currentTimeMillis();
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0, at = 0; at < block.length; i++, at += size) {
                        byte[] piece = Arrays.copyOfRange(block, at, Math.min(block.length, at + size));
                        boolean last = at + size >= block.length;
                        h2.write(H2Client.frame(i == 0 ? H2Client.HEADERS : H2Client.CONTINUATION,
                                (i == 0 ? H2Client.END_STREAM : 0) | (last ? H2Client.END_HEADERS : 0), 1, piece));
                        Thread.sleep(300);
                    }
                } catch (Exception closed) {
                    // the server closed the connection: what the test waits for
                }
            });
            assertGoAway(h2.framesUntilClosed(), start);
            sender.join(10_000);
        }
    }

    @Test
    void aConnectionIdleBetweenStreamsLongerThanTheDeadlineIsStillServed() throws Exception {
        try (H2Client h2 = connect(false)) {
            assertEquals(200, h2.get(1, H2Client.request("GET", "/q/health/live", null)).status());
            Thread.sleep(3 * DEADLINE_MS); // no byte of a next frame: the idle timeout's business, not the deadline's
            assertEquals(200, h2.get(3, H2Client.request("GET", "/q/health/live", null)).status());
        }
    }

    @Test
    void aSlowBodyIsNotAHead() throws Exception {
        String ns = Namespaces.fresh("h2slowbody");
        byte[] body = "{\"slow\":true}".getBytes(StandardCharsets.US_ASCII);
        try (H2Client h2 = connect(false)) {
            Http2Headers put = H2Client.request("PUT", "/v1/cache/" + ns + "/k", TestKeys.ALL)
                    .add("content-type", "application/json").add("content-length", String.valueOf(body.length));
            h2.write(H2Client.frame(H2Client.HEADERS, H2Client.END_HEADERS, 1, h2.encode(1, put)));
            for (int i = 0; i < body.length; i++) { // about 2.6 s, over twice the deadline, one DATA frame per byte
                h2.write(H2Client.frame(H2Client.DATA, i == body.length - 1 ? H2Client.END_STREAM : 0, 1, new byte[] { body[i] }));
                Thread.sleep(200);
            }
            H2Client.Answer a = h2.answer(1);
            assertEquals(201, a.status(), a.body());
        }
    }

    /** Sends the bytes one at a time and expects a GOAWAY with ENHANCE_YOUR_CALM and the close within the deadline and the margin. */
    private static void assertCutWithGoAway(H2Client h2, byte[] bytes, long everyMillis) throws Exception {
        assertTrue(bytes.length * everyMillis > DEADLINE_MS + MARGIN_MS, "the trickle must outlast the margin");
        long start = System.currentTimeMillis();
        Thread sender = Trickle.bytes(h2.socket(), bytes, everyMillis);
        assertGoAway(h2.framesUntilClosed(), start);
        sender.join(10_000);
    }

    private static void assertGoAway(List<H2Client.Frame> frames, long start) {
        long took = System.currentTimeMillis() - start;
        assertTrue(took < DEADLINE_MS + MARGIN_MS, "the connection was closed after " + took + " ms, not within the deadline");
        assertFalse(frames.isEmpty(), "closed without a GOAWAY");
        H2Client.Frame last = frames.get(frames.size() - 1);
        assertEquals(H2Client.GOAWAY, last.type(), "the last frame: " + frames);
        assertEquals(ENHANCE_YOUR_CALM, last.errorCode());
        assertTrue(new String(last.payload(), StandardCharsets.US_ASCII).contains("head-timeout"));
        assertEquals(1, frames.stream().filter(f -> f.type() == H2Client.GOAWAY).count(), "one GOAWAY: " + frames);
    }
}
