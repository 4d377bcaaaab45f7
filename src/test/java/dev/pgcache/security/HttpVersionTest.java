package dev.pgcache.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.RawHttp;
import dev.pgcache.testing.TestDatabase;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * Only HTTP/1.1 and HTTP/1.0, spelled so, are served (and HTTP/1.2 to 1.9, as HTTP/1.1); every other
 * version in a request line is a 505 (a version written as versions are written) or a 400 (anything else), as an HTTP/1.1 answer
 * with problem+json, and nothing is served or written. These were served before, with the version
 * echoed in the status line ("HTTP/9.9 200 OK"). Raw sockets: HTTP clients do not send such lines.
 */
@QuarkusTest
class HttpVersionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH = "Authorization: Bearer " + TestKeys.ALL + "\r\n";

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("version");
    }

    @AfterEach
    void nothingWasWrittenAndTheServerStillServes() throws Exception {
        assertEquals(0L, ((Number) TestDatabase.scalar("SELECT count(*) FROM pgcache.cache_entry WHERE namespace = ?", ns)).longValue(),
                "no refused request wrote anything");
        assertEquals(200, RawHttp.send(RestAssured.port, "GET", "/q/health/live", List.of(), null).status());
    }

    /** The same request with each version: a GET with a valid key, and a PUT that would write. */
    private List<String> requests(String version) {
        return List.of(
                "GET /v1/me " + version + "\r\nHost: localhost\r\n" + AUTH + "Connection: close\r\n\r\n",
                "GET /q/health/live " + version + "\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                "PUT /v1/cache/" + ns + "/k " + version + "\r\nHost: localhost\r\n" + AUTH
                        + "Content-Type: application/json\r\nContent-Length: 1\r\nConnection: close\r\n\r\n1");
    }

    private static JsonNode refused(RawHttp.Answer a, int status, String type, String what) throws Exception {
        assertEquals(status, a.status(), what + ": " + a);
        assertTrue(a.statusLine().startsWith("HTTP/1.1 " + status + " "), what + ": the answer is HTTP/1.1, whatever the request said: " + a.statusLine());
        assertTrue(a.header("content-type").startsWith("application/problem+json"), what + ": " + a);
        assertEquals("close", a.header("connection"), what);
        assertNotNull(a.header("date"), what);
        JsonNode p = JSON.readTree(a.body());
        assertEquals("urn:pgcache:problem:" + type, p.path("type").asText(), what + ": " + a.body());
        assertEquals(status, p.path("status").asInt(), what);
        assertFalse(p.path("detail").asText().isEmpty(), what + ": " + a.body());
        assertFalse(a.body().contains("\"key\"") || a.body().contains("UP"), what + ": nothing was served: " + a.body());
        return p;
    }

    @Test
    void otherVersionsAre505() throws Exception {
        List<String> failures = new ArrayList<>();
        for (String version : List.of("HTTP/9.9", "HTTP/2.0", "HTTP/0.9", "HTTP/3.0", "HTTP/0.0", "HTTP/2.1")) {
            for (String request : requests(version)) {
                String what = request.substring(0, request.indexOf('\r'));
                try {
                    JsonNode p = refused(RawHttp.exchange(RestAssured.port, request), 505, "http-version-not-supported", what);
                    assertTrue(p.path("detail").asText().contains(version) && p.path("detail").asText().contains("HTTP/1.1"), p.toString());
                } catch (AssertionError e) {
                    failures.add(e.getMessage());
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void versionsNotWrittenAsVersionsAre400() throws Exception {
        List<String> failures = new ArrayList<>();
        for (String version : List.of("http/1.1", "Http/1.1", "HTTP/01.1", "HTTP/1.01", "HTTP/1.10", "HTTP/11.1", "HTTPS/1.1", "FOO/1.1",
                "HTTP/1.1 garbage", "HTTP/1.1x", "HTTP/1.1\t", "HTTP/1.1  x", "HTTP/1", "HTTP/", "HTTP/1.1.1", "HTTP/a.b", "1.1")) {
            for (String request : requests(version)) {
                String what = request.substring(0, request.indexOf('\r'));
                try {
                    refused(RawHttp.exchange(RestAssured.port, request), 400, "bad-request", what);
                } catch (AssertionError e) {
                    failures.add(e.getMessage());
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void aRefusedVersionLaterOnAKeptAliveConnectionIsRefusedToo() throws Exception {
        String first = "GET /q/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n";
        String second = "GET /v1/me HTTP/9.9\r\nHost: localhost\r\n" + AUTH + "\r\n";
        try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((first + second).getBytes(StandardCharsets.ISO_8859_1));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(all.startsWith("HTTP/1.1 200 "), all);
            int next = all.indexOf("HTTP/1.1 505 ");
            assertTrue(next > 0, "the second request is refused: " + all);
            assertFalse(all.contains("\"key\""), "and not served: " + all);
        }
    }

    @Test
    void http11And10AreServed() throws Exception {
        for (String version : List.of("HTTP/1.1", "HTTP/1.0")) {
            RawHttp.Answer a = RawHttp.exchange(RestAssured.port, "GET /v1/me " + version + "\r\nHost: localhost\r\n" + AUTH + "Connection: close\r\n\r\n");
            assertEquals(200, a.status(), version + ": " + a);
            assertTrue(a.statusLine().startsWith(version + " 200"), a.statusLine());
        }
    }

    @Test
    void laterMinorVersionsOfHttp1AreServedAsHttp11() throws Exception {
        // RFC 9110 §2.5: a recipient treats a later minor version as the highest one it speaks
        for (String version : List.of("HTTP/1.2", "HTTP/1.9")) {
            RawHttp.Answer a = RawHttp.exchange(RestAssured.port, "GET /v1/me " + version + "\r\nHost: localhost\r\n" + AUTH + "Connection: close\r\n\r\n");
            assertEquals(200, a.status(), version + ": " + a);
            assertTrue(a.statusLine().startsWith("HTTP/1.1 200"), a.statusLine());
            // access is still decided as for HTTP/1.1: no key, no answer
            RawHttp.Answer anonymous = RawHttp.exchange(RestAssured.port, "GET /v1/me " + version + "\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertEquals(401, anonymous.status(), version + ": " + anonymous);
            assertTrue(anonymous.statusLine().startsWith("HTTP/1.1 401"), anonymous.statusLine());
            assertTrue(anonymous.header("content-type").startsWith("application/problem+json"), anonymous.toString());
            // and a kept-alive connection goes on as HTTP/1.1 does
            try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
                String twice = "GET /q/health/live " + version + "\r\nHost: localhost\r\n\r\n"
                        + "GET /q/health/live " + version + "\r\nHost: localhost\r\nConnection: close\r\n\r\n";
                s.getOutputStream().write(twice.getBytes(StandardCharsets.US_ASCII));
                String both = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
                assertEquals(2, both.split("HTTP/1.1 200 ", -1).length - 1, both);
            }
        }
    }

    @Test
    void http2IsOffByDefault() throws Exception {
        // prior knowledge: HTTP/2's preface, which the HTTP/1 decoder reads as "PRI * HTTP/2.0", is refused as any other version is
        JsonNode p = refused(RawHttp.exchange(RestAssured.port, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505, "http-version-not-supported",
                "HTTP/2's preface");
        assertTrue(p.path("detail").asText().contains("quarkus.http.http2=false"), p.toString());
        // an Upgrade to h2c (what Java's client asks for over http://) is ignored: the request is served as HTTP/1.1
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/me"))
                .header("Authorization", "Bearer " + TestKeys.ALL).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(HttpClient.Version.HTTP_1_1, r.version(), "not upgraded");
    }
}
