package dev.pgcache.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/** Idle connections are bounded: the idle timeout, here made small, closes a connection that never finishes its request head. */
@QuarkusTest
@TestProfile(ConnectionLimitsTest.Small.class)
class ConnectionLimitsTest {

    public static class Small implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "2S");
        }
    }

    @Test
    void anIdleConnectionThatNeverFinishesItsHeadersIsClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout(20_000); // far above the 2 s idle timeout: a read that times out fails the test
            OutputStream out = s.getOutputStream();
            out.write("GET /v1/cache/sec-a/k HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            assertEquals(-1, in.read(), "the server closes the connection");
        }
    }
}
