package dev.pgcache.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pgcache.testing.RawHttp;
import dev.pgcache.testing.TestKeys;
import dev.pgcache.testing.TestTls;
import dev.pgcache.testing.Trickle;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With TLS configured (Quarkus' TLS registry), HTTPS is served by the same front door as plain HTTP:
 * access decided, and the request-head guard placed behind the TLS handler once the handshake is
 * done, so a head trickled inside TLS records is cut at its deadline and what the HTTP decoder
 * refuses is a problem+json, as over plain HTTP (HeadTimeoutTest, RequestHeadTest, HttpVersionTest).
 */
@QuarkusTest
@TestProfile(TlsTest.TlsOn.class)
class TlsTest {

    public static class TlsOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(TestTls.serverConfig());
            config.put("pgcache.limits.head-timeout", "1s");
            config.put("quarkus.http.idle-timeout", "30S");
            config.put("quarkus.tls.handshake-timeout", "2S");
            return config;
        }
    }

    private static final long DEADLINE_MS = 1_000;
    private static final long HANDSHAKE_MS = 2_000;
    /** Far above the deadline and far below the idle timeout, which a trickle keeps from passing anyway. */
    private static final long MARGIN_MS = 8_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource(value = "/", tls = true)
    URL https;

    private HttpResponse<String> getMe(String key) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(TestTls.clientContext()).version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https.getPort() + "/v1/me"));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void httpsIsServedAndAccessIsDecided() throws Exception {
        assertEquals("https", https.getProtocol());
        HttpResponse<String> r = getMe(TestKeys.ALL);
        assertEquals(200, r.statusCode(), r.body());
        HttpResponse<String> anonymous = getMe(null);
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertTrue(anonymous.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"), anonymous.headers().toString());
        HttpResponse<String> wrong = getMe("not-a-key-" + "0".repeat(40));
        assertEquals(401, wrong.statusCode(), wrong.body());
    }

    @Test
    void onlyTls13IsSpokenByDefault() throws Exception {
        try (SSLSocket s = TestTls.connect(https.getPort())) {
            assertEquals("TLSv1.3", s.getSession().getProtocol());
        }
        try (SSLSocket old = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket("127.0.0.1", https.getPort())) {
            old.setSoTimeout(10_000);
            old.setEnabledProtocols(new String[] { "TLSv1.2" }); // TLS 1.2 would allow renegotiation, a handshake a client can repeat
            IOException refused = assertThrows(IOException.class, old::startHandshake);
            assertFalse(refused instanceof SocketTimeoutException, "refused, not left waiting: " + refused);
        }
    }

    @Test
    void http2IsNotOfferedOverTlsWhileItIsOff() throws Exception {
        // quarkus.http.http2=false: ALPN offers no h2, so a client that prefers HTTP/2 speaks HTTP/1.1 (and meets the guard)
        HttpClient client = HttpClient.newBuilder().sslContext(TestTls.clientContext()).version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + https.getPort() + "/v1/me"))
                .header("Authorization", "Bearer " + TestKeys.ALL).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(HttpClient.Version.HTTP_1_1, r.version());
    }

    @Test
    void aTrickledHandshakeIsCutByTheHandshakeTimeout() throws Exception {
        // the guard's deadline starts after the handshake; the handshake has its own (quarkus.tls.handshake-timeout, 2 s here)
        SSLEngine engine = TestTls.clientContext().createSSLEngine("127.0.0.1", https.getPort());
        engine.setUseClientMode(true);
        engine.beginHandshake();
        ByteBuffer wrapped = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), wrapped);
        byte[] clientHello = Arrays.copyOf(wrapped.array(), wrapped.position());
        assertTrue(clientHello.length > 100, "a ClientHello of " + clientHello.length + " bytes takes longer to trickle than the margin");
        try (Socket s = new Socket("127.0.0.1", https.getPort())) {
            s.setSoTimeout((int) (HANDSHAKE_MS + MARGIN_MS + 10_000));
            long start = System.currentTimeMillis();
            Thread sender = Trickle.bytes(s, clientHello, 200);
            Trickle.readUntilClosed(s.getInputStream());
            long took = System.currentTimeMillis() - start;
            assertTrue(took < HANDSHAKE_MS + MARGIN_MS, "the connection was closed after " + took + " ms, not at the handshake timeout");
            sender.join(10_000);
        }
    }

    @Test
    void aHeadTrickledInsideTlsIsCutAtItsDeadline() throws Exception {
        try (SSLSocket s = TestTls.connect(https.getPort())) {
            long start = System.currentTimeMillis();
            // one TLS record per byte
            Thread sender = Trickle.bytes(s, ("GET /q/health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "a".repeat(200) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII), 200);
            String answer = Trickle.readUntilClosed(s.getInputStream());
            long took = System.currentTimeMillis() - start;
            assertTrue(took < DEADLINE_MS + MARGIN_MS, "the connection was closed after " + took + " ms, not within the head's deadline");
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
            assertTrue(answer.toLowerCase().contains("content-type: application/problem+json"), answer);
            JsonNode p = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertEquals("urn:pgcache:problem:request-timeout", p.path("type").asText());
            sender.join(10_000);
        }
    }

    @Test
    void aTlsConnectionIdleBeforeItsFirstRequestIsStillServed() throws Exception {
        try (SSLSocket s = TestTls.connect(https.getPort())) {
            // the handshake is no byte of a head: a client may open its connection well before its first request
            Thread.sleep(3 * DEADLINE_MS);
            RawHttp.Answer a = RawHttp.exchange(s, "GET /q/health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertEquals(200, a.status(), a.toString());
        }
    }

    @Test
    void whatTheDecoderRefusesInsideTlsIsAProblem() throws Exception {
        try (SSLSocket s = TestTls.connect(https.getPort())) {
            RawHttp.Answer a = RawHttp.exchange(s, "GET /q/health/live HTTP/9.9\r\nHost: localhost\r\n\r\n");
            assertEquals(505, a.status(), a.toString());
            assertTrue(a.header("content-type").startsWith("application/problem+json"), a.toString());
        }
        try (SSLSocket s = TestTls.connect(https.getPort())) {
            RawHttp.Answer a = RawHttp.exchange(s, "GET /q/health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n");
            assertEquals(431, a.status(), a.toString());
            assertTrue(a.header("content-type").startsWith("application/problem+json"), a.toString());
            assertEquals("urn:pgcache:problem:headers-too-large", JSON.readTree(a.body()).path("type").asText());
        }
    }
}
