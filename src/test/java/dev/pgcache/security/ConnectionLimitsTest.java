package dev.pgcache.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/** Slow and idle connections are bounded: an idle timeout and a cap on open connections, here made small. */
@QuarkusTest
@TestProfile(ConnectionLimitsTest.Small.class)
class ConnectionLimitsTest {

    public static class Small implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "2S", "quarkus.http.limits.max-connections", "8");
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

    /** Sends a request on a kept-alive connection and reads its answer's head. */
    private static void answered(Socket s) throws Exception {
        s.setSoTimeout(10_000);
        s.getOutputStream().write("GET /q/health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("closed before answering: " + head);
            }
            head.append((char) b);
        }
    }

    @Test
    void connectionsOverTheCapAreNotServed() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                Socket s = new Socket("127.0.0.1", RestAssured.port);
                held.add(s);
                answered(s); // the server has taken the connection in before the next one comes
            }
            try (Socket extra = new Socket("127.0.0.1", RestAssured.port)) {
                extra.setSoTimeout(10_000);
                extra.getOutputStream().write("GET /q/health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                int first;
                try {
                    first = extra.getInputStream().read();
                } catch (SocketException reset) {
                    first = -1;
                }
                assertEquals(-1, first, "a connection over quarkus.http.limits.max-connections is closed unanswered");
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
