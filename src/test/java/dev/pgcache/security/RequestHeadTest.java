package dev.pgcache.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.RawHttp;
import dev.pgcache.testing.TestDatabase;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * What the HTTP decoder used to refuse before pgcache's code ran (with an empty 414, 431 or 400, or
 * Quarkus' own JSON) is a problem+json that says what was wrong: a request line or headers over
 * pgcache's limits, a malformed percent-escape in the path or the query, a request without Host, a
 * chunked body over the cap; a key too long for the request line is answered like any key over
 * max-key-bytes. After each, the server still serves. Raw sockets on loopback: HTTP clients would
 * clean these requests up.
 */
@QuarkusTest
class RequestHeadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH = "Authorization: Bearer " + TestKeys.ALL;

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("head");
    }

    @AfterEach
    void theServerStillServes() throws Exception {
        RawHttp.Answer a = RawHttp.send(RestAssured.port, "GET", "/q/health/live", List.of(), null);
        assertEquals(200, a.status(), a.toString());
        assertEquals(0L, rows(), "no refused request wrote anything");
    }

    private long rows() {
        return ((Number) TestDatabase.scalar("SELECT count(*) FROM pgcache.cache_entry WHERE namespace = ?", ns)).longValue();
    }

    /** Asserts a problem+json answer with a Date header, and returns its body. */
    private static JsonNode problem(RawHttp.Answer a, int status, String type) throws IOException {
        assertEquals(status, a.status(), a.toString());
        assertTrue(a.header("content-type").startsWith("application/problem+json"), a.toString());
        assertNotNull(a.header("date"), "every answer has a Date: " + a.headers());
        JsonNode body = JSON.readTree(a.body());
        assertEquals("urn:pgcache:problem:" + type, body.path("type").asText(), a.body());
        assertEquals(status, body.path("status").asInt(), a.body());
        assertFalse(body.path("title").asText().isEmpty(), a.body());
        assertFalse(body.path("detail").asText().isEmpty(), a.body());
        assertFalse(a.body().contains("Exception") || a.body().contains("stack"), a.body());
        return body;
    }

    @Test
    void aRequestLineOverTheLimitIsA414Problem() throws Exception {
        RawHttp.Answer a = RawHttp.send(RestAssured.port, "GET", "/v1/cache/" + ns + "?prefix=" + "p".repeat(5000), List.of(AUTH), null);
        JsonNode p = problem(a, 414, "uri-too-long");
        assertTrue(p.path("detail").asText().contains("the limit is 4096 bytes"), a.body());
        assertEquals("close", a.header("connection"));
    }

    @Test
    void aRequestLineBeyondTheDecodersLimitIsStillA414Problem() throws Exception {
        // beyond quarkus.http.limits.max-initial-line-length (16 KiB) the decoder refuses it; api.HeadGuard answers (docs/security.md)
        RawHttp.Answer a = RawHttp.send(RestAssured.port, "GET", "/v1/cache/" + ns + "/" + "k".repeat(100_000), List.of(AUTH), null);
        JsonNode p = problem(a, 414, "uri-too-long");
        assertTrue(p.path("detail").asText().contains("16384 bytes"), a.body());
        assertEquals("close", a.header("connection"));
    }

    @Test
    void headersBeyondTheDecodersLimitAreStillA431Problem() throws Exception {
        List<String> headers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            headers.add("X-Big-" + i + ": " + "b".repeat(5_000)); // 40 KB: over the decoder's 32 KiB
        }
        RawHttp.Answer a = RawHttp.send(RestAssured.port, "GET", "/v1/cache/" + ns + "/k", headers, null);
        JsonNode p = problem(a, 431, "headers-too-large");
        assertTrue(p.path("detail").asText().contains("32768 bytes"), a.body());
    }

    @ParameterizedTest
    @ValueSource(strings = { "GET /v1/me HTTP/1.1 extra", "GET /v1/me", "GET /v1/me HTTP/1.1\t", "GET /v1/me HTTP/1.1\u000bx" })
    void aRequestLineTheDecoderCannotReadIsA400Problem(String line) throws Exception {
        String head = line + "\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        RawHttp.Answer a = RawHttp.exchange(RestAssured.port, head);
        assertTrue(a.status() == 400 || a.status() == 505, a.toString());
        assertTrue(a.header("content-type").startsWith("application/problem+json"), a.toString());
        assertFalse(JSON.readTree(a.body()).path("detail").asText().isEmpty(), a.body());
    }

    @ParameterizedTest
    @ValueSource(ints = { 513, 5_000, 10_000, 15_000 })
    void aKeyTooLongForTheRequestLineIsAnsweredLikeAnyKeyOverMaxKeyBytes(int keyBytes) throws Exception {
        String key = "k".repeat(keyBytes);
        for (String method : new String[] { "PUT", "GET", "DELETE" }) {
            RawHttp.Answer a = RawHttp.send(RestAssured.port, method, "/v1/cache/" + ns + "/" + key, List.of(AUTH), method.equals("PUT") ? "1" : null);
            JsonNode p = problem(a, 400, "invalid-key");
            assertEquals("the key is " + keyBytes + " bytes long in UTF-8; the limit is 512 bytes", p.path("detail").asText(), method);
        }
    }

    @Test
    void aPercentEncodedMultiByteKeyTooLongForTheRequestLineIsInvalidKeyToo() throws Exception {
        String key = "ключ".repeat(600); // 4,800 UTF-8 bytes, 14,400 characters percent-encoded
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8);
        RawHttp.Answer a = RawHttp.send(RestAssured.port, "PUT", "/v1/cache/" + ns + "/" + encoded, List.of(AUTH), "1");
        JsonNode p = problem(a, 400, "invalid-key");
        assertEquals("the key is 4800 bytes long in UTF-8; the limit is 512 bytes", p.path("detail").asText());
    }

    @Test
    void aKeyTooLongIsStill401WithoutAnApiKey() throws Exception {
        RawHttp.Answer a = RawHttp.send(RestAssured.port, "GET", "/v1/cache/" + ns + "/" + "k".repeat(8000), List.of(), null);
        problem(a, 401, "unauthorized");
    }

    @Test
    void oneHugeHeaderIsA431Problem() throws Exception {
        RawHttp.Answer a = RawHttp.send(RestAssured.port, "GET", "/v1/cache/" + ns + "/k", List.of(AUTH, "X-Big: " + "b".repeat(25_000)), null);
        JsonNode p = problem(a, 431, "headers-too-large");
        assertTrue(p.path("detail").asText().contains("the limit is 20480 bytes"), a.body());
        assertEquals("close", a.header("connection"));
    }

    @Test
    void manyHeadersAreA431Problem() throws Exception {
        List<String> headers = new ArrayList<>(List.of(AUTH));
        for (int i = 0; i < 2500; i++) {
            headers.add("X-H" + i + ": v");
        }
        RawHttp.Answer a = RawHttp.send(RestAssured.port, "GET", "/v1/cache/" + ns + "/k", headers, null);
        JsonNode p = problem(a, 431, "headers-too-large");
        assertTrue(p.path("detail").asText().contains("2503 headers"), a.body());
    }

    @ParameterizedTest
    @ValueSource(strings = { "a%zz", "a%", "a%4", "%G0" })
    void aMalformedEscapeInTheKeyIsAnInvalidKeyProblem(String key) throws Exception {
        RawHttp.Answer a = RawHttp.send(RestAssured.port, "PUT", "/v1/cache/" + ns + "/" + key, List.of(AUTH), "1");
        JsonNode p = problem(a, 400, "invalid-key");
        assertTrue(p.path("detail").asText().contains("broken percent-escape"), a.body());
    }

    @Test
    void aMalformedEscapeElsewhereInThePathIsAnInvalidTargetProblem() throws Exception {
        RawHttp.Answer a = RawHttp.send(RestAssured.port, "GET", "/v1/ca%zzche/" + ns + "/k", List.of(AUTH), null);
        problem(a, 400, "invalid-target");
        a = RawHttp.send(RestAssured.port, "GET", "/q/health%", List.of(), null);
        problem(a, 400, "invalid-target");
    }

    @ParameterizedTest
    @ValueSource(strings = { "?prefix=%zz", "?prefix=a%", "?pre%4xfix=a", "?prefix=%", "?prefix=a|b", "?prefix=a%20b&x={y}" })
    void aMalformedQueryIsAnInvalidTargetProblem(String query) throws Exception {
        RawHttp.Answer a = RawHttp.send(RestAssured.port, "GET", "/v1/cache/" + ns + query, List.of(AUTH), null);
        if (query.equals("?prefix=a%20b&x={y}") || query.equals("?prefix=a|b")) {
            JsonNode p = problem(a, 400, "invalid-target");
            assertTrue(p.path("detail").asText().contains("not a valid URI"), a.body());
            return;
        }
        JsonNode p = problem(a, 400, "invalid-target");
        assertTrue(p.path("detail").asText().contains("malformed percent-escape"), a.body());
        // the same before any key is checked, and on a public path
        problem(RawHttp.send(RestAssured.port, "GET", "/v1/cache/" + ns + query, List.of(), null), 400, "invalid-target");
        problem(RawHttp.send(RestAssured.port, "GET", "/q/health/live" + query, List.of(), null), 400, "invalid-target");
    }

    @Test
    void aRequestWithoutHostIsA400Problem() throws Exception {
        String answer = exchange("GET /v1/cache/" + ns + "/k HTTP/1.1\r\n" + AUTH + "\r\nConnection: close\r\n\r\n", null);
        RawHttp.Answer a = parse(answer);
        JsonNode p = problem(a, 400, "bad-request");
        assertTrue(p.path("detail").asText().contains("Host"), a.body());
    }

    @Test
    void aTransferEncodingOtherThanChunkedIsA400Problem() throws Exception {
        String answer = exchange("PUT /v1/cache/" + ns + "/k HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: gzip\r\n\r\n1", null);
        JsonNode p = problem(parse(answer), 400, "bad-request");
        assertTrue(p.path("detail").asText().contains("chunked"), answer);
    }

    @Test
    void aChunkedBodyOverTheCapIsA413ProblemAndTheConnectionCloses() throws Exception {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        byte[] piece = new byte[1 << 20];
        java.util.Arrays.fill(piece, (byte) '1');
        for (int i = 0; i < 17; i++) { // 17 MiB of digits: over quarkus.http.limits.max-body-size (16M)
            chunks.write("100000\r\n".getBytes(StandardCharsets.US_ASCII));
            chunks.write(piece);
            chunks.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        chunks.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String answer = exchange("PUT /v1/cache/" + ns + "/k HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n", chunks.toByteArray());
        RawHttp.Answer a = parse(answer);
        JsonNode p = problem(a, 413, "payload-too-large");
        assertTrue(p.path("detail").asText().contains("16777216"), a.body());
        assertEquals("close", a.header("connection"));
    }

    @Test
    void aChunkedBodyWithinTheCapIsStillServed() throws Exception {
        String served = Namespaces.fresh("head-served");
        String answer = exchange("PUT /v1/cache/" + served + "/k HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nContent-Type: application/json\r\n"
                + "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n\"ab\r\n2\r\nc\"\r\n0\r\n\r\n", null);
        assertEquals(201, parse(answer).status(), answer);
        given().get("/v1/cache/" + served + "/k").then().statusCode(200).body(org.hamcrest.Matchers.equalTo("\"abc\""));
    }

    @Test
    void aChunkedBodyWithBrokenFramingIsRefused() throws Exception {
        String answer = exchange("PUT /v1/cache/" + ns + "/k HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\n1\r\n0\r\n\r\n", null);
        // the decoder closes the connection at once; when the answer gets out before that, it says why
        if (!answer.isEmpty()) {
            JsonNode p = problem(parse(answer), 400, "bad-request");
            assertTrue(p.path("detail").asText().contains("chunk"), answer);
        }
    }

    @Test
    void aContentLengthOverTheCapIsA413ProblemBeforeTheBodyIsRead() throws Exception {
        String answer = exchange("PUT /v1/cache/" + ns + "/k HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: 99999999999\r\n\r\n12", null, 2_000); // the server waits for the declared body; stop reading
        JsonNode p = problem(parse(answer), 413, "payload-too-large");
        assertTrue(p.path("detail").asText().contains("99999999999 bytes"), answer);
    }

    @Test
    void refusedHeadsDoNotLabelMetricsWithTheirPath() throws Exception {
        RawHttp.send(RestAssured.port, "GET", "/v1/cache/" + ns + "?prefix=invented-" + "p".repeat(5000), List.of(AUTH), null);
        RawHttp.send(RestAssured.port, "GET", "/v1/invented-path-%zz", List.of(AUTH), null);
        RawHttp.send(RestAssured.port, "GET", "/v1/invented-431", List.of(AUTH, "X-Big: " + "b".repeat(25_000)), null);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertFalse(metrics.contains("invented"), "a metric label holds an invented path");
    }

    /** Writes a request (and more bytes, from another thread, as a client that does not wait would) and reads until the server closes. */
    private static String exchange(String head, byte[] body) throws Exception {
        return exchange(head, body, 20_000);
    }

    private static String exchange(String head, byte[] body, int readTimeoutMillis) throws Exception {
        try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout(readTimeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.UTF_8));
            out.flush();
            CompletableFuture<Void> writing = body == null ? CompletableFuture.completedFuture(null) : CompletableFuture.runAsync(() -> {
                try {
                    out.write(body);
                    out.flush();
                } catch (IOException closedByTheServer) {
                    // expected once the server has answered and closed
                }
            });
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                s.getInputStream().transferTo(all);
            } catch (IOException reset) {
                // a reset after the answer was read
            }
            writing.get();
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    private static RawHttp.Answer parse(String answer) {
        int end = answer.indexOf("\r\n\r\n");
        assertTrue(end > 0, "an answer: " + answer);
        String[] lines = answer.substring(0, end).split("\r\n");
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = answer.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            StringBuilder b = new StringBuilder();
            int i = 0;
            while (i < body.length()) {
                int nl = body.indexOf("\r\n", i);
                int size = Integer.parseInt(body.substring(i, nl).trim(), 16);
                if (size == 0) {
                    break;
                }
                b.append(body, nl + 2, nl + 2 + size);
                i = nl + 2 + size + 2;
            }
            body = b.toString();
        }
        return new RawHttp.Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body, lines[0]);
    }
}
