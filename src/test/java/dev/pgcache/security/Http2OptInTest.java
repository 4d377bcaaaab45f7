package dev.pgcache.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/**
 * HTTP/2 is off by default (HttpVersionTest); an operator who turns it on
 * ({@code quarkus.http.http2=true}) gets cleartext HTTP/2 both ways, with access still decided by
 * the front door.
 */
@QuarkusTest
@TestProfile(Http2OptInTest.Http2On.class)
class Http2OptInTest {

    public static class Http2On implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.http2", "true");
        }
    }

    private static HttpResponse<String> getMe(String key) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + "/v1/me"));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anUpgradeToH2cIsServedAsHttp2() throws Exception {
        HttpResponse<String> r = getMe(TestKeys.ALL);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        HttpResponse<String> anonymous = getMe(null);
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        assertTrue(anonymous.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"), anonymous.headers().toString());
    }

    @Test
    void thePrefaceOfPriorKnowledgeIsAnsweredWithSettings() throws Exception {
        // RFC 9113 §3.4: the server's first frame is its SETTINGS (a frame header of 9 bytes, type 4, stream 0), not an HTTP/1 answer
        try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 }); // an empty SETTINGS frame of our own
            InputStream in = s.getInputStream();
            byte[] header = in.readNBytes(9);
            assertEquals(9, header.length);
            assertEquals(4, header[3], "a SETTINGS frame, not an HTTP/1 answer: " + new String(header, StandardCharsets.ISO_8859_1));
            assertArrayEquals(new byte[] { 0, 0, 0, 0 }, new byte[] { header[5], header[6], header[7], header[8] }, "on stream 0");
        }
    }
}
