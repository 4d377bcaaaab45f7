package dev.pgcache.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestKeys;
import dev.pgcache.testing.Trickle;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * A request head trickled a byte at a time (slowloris) keeps resetting the idle timeout; the head's
 * own deadline (pgcache.limits.head-timeout, 1 s here) ends it with a 408 problem+json and closes the
 * connection, on a new connection and on a kept-alive one. What is not a head is left alone: a kept-alive
 * connection idle between requests for longer than the deadline, and a slow body. The margins are
 * generous (the idle timeout, 30 s, is what bounded such a connection before): this is no benchmark.
 */
@QuarkusTest
@TestProfile(HeadTimeoutTest.ShortHeadTimeout.class)
class HeadTimeoutTest {

    public static class ShortHeadTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pgcache.limits.head-timeout", "1s", "quarkus.http.idle-timeout", "30S");
        }
    }

    private static final long DEADLINE_MS = 1_000;
    /** Far above the deadline and far below the idle timeout, which a trickle keeps from passing anyway. */
    private static final long MARGIN_MS = 8_000;
    private static final String HEALTH = "GET /q/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Sends a byte every 200 ms from a thread of its own until the head is sent or the server closes. */
    private static Thread trickle(Socket s, String head) {
        return Trickle.bytes(s, head.getBytes(StandardCharsets.US_ASCII), 200);
    }

    /** A head that takes about 40 s to trickle: longer than any margin here. */
    private static String longHead() {
        return "GET /q/health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "a".repeat(200) + "\r\n\r\n";
    }

    /** Reads until the server closes; fails if it does not within the deadline and the margin. */
    private static String readUntilClosed(InputStream in, long since) throws IOException {
        String got = Trickle.readUntilClosed(in);
        long took = System.currentTimeMillis() - since;
        assertTrue(took < DEADLINE_MS + MARGIN_MS, "the connection was closed after " + took + " ms, not within the head's deadline");
        return got;
    }

    private static void is408(String answer) throws IOException {
        assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
        assertTrue(answer.toLowerCase().contains("content-type: application/problem+json"), answer);
        assertTrue(answer.toLowerCase().contains("connection: close"), answer);
        JsonNode p = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertEquals("urn:pgcache:problem:request-timeout", p.path("type").asText());
        assertTrue(p.path("detail").asText().contains("head-timeout"), p.toString());
    }

    @Test
    void aTrickledHeadIsCutAtItsDeadline() throws Exception {
        try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout((int) (DEADLINE_MS + MARGIN_MS + 10_000)); // a read that times out fails the test below
            long start = System.currentTimeMillis();
            Thread sender = trickle(s, longHead());
            is408(readUntilClosed(s.getInputStream(), start));
            sender.join(10_000);
        }
    }

    @Test
    void aTrickledHeadOnAKeptAliveConnectionIsCutToo() throws Exception {
        try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout((int) (DEADLINE_MS + MARGIN_MS + 10_000));
            answered(s, HEALTH, "HTTP/1.1 200 ");
            long start = System.currentTimeMillis();
            Thread sender = trickle(s, longHead());
            is408(readUntilClosed(s.getInputStream(), start));
            sender.join(10_000);
        }
    }

    @Test
    void aConnectionIdleBetweenRequestsLongerThanTheDeadlineIsStillServed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout(10_000);
            answered(s, HEALTH, "HTTP/1.1 200 ");
            Thread.sleep(3 * DEADLINE_MS); // no byte of a next head: the idle timeout's business, not the head's
            answered(s, HEALTH, "HTTP/1.1 200 ");
        }
    }

    @Test
    void aSlowBodyIsNotAHead() throws Exception {
        String ns = Namespaces.fresh("slowbody");
        String body = "{\"slow\":true}";
        try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("PUT /v1/cache/" + ns + "/k HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestKeys.ALL
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (byte b : body.getBytes(StandardCharsets.US_ASCII)) { // about 2.6 s, over twice the head's deadline
                out.write(b);
                out.flush();
                Thread.sleep(200);
            }
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 201 "), answer);
        }
    }

    /** Sends a request on the connection and reads its answer's head and body (by Content-Length). */
    private static void answered(Socket s, String request, String expectedStart) throws IOException {
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("closed before answering: " + head);
            }
            head.append((char) b);
        }
        assertTrue(head.toString().startsWith(expectedStart), head.toString());
        String lower = head.toString().toLowerCase();
        int at = lower.indexOf("content-length:");
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).trim());
        assertEquals(length, in.readNBytes(length).length);
    }
}
