package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.pgcache.protocol.Problem;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * Large request bodies share one budget (pgcache.limits.max-in-flight-body-size): while it is
 * spent, another large body gets a 503 server-busy before it is read, small bodies still pass,
 * and the budget comes back when a response ends.
 */
@QuarkusTest
@TestProfile(BodyBudgetTest.SmallBudget.class)
class BodyBudgetTest {

    public static class SmallBudget implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.limits.max-body-size", "300K", "pgcache.limits.max-in-flight-body-size", "320K");
        }
    }

    private static String jsonString(int bytes) {
        return "\"" + "x".repeat(bytes - 2) + "\"";
    }

    @Test
    void aLargeBodyWaitsForTheBudgetWhileSmallOnesPass() throws Exception {
        String ns = Namespaces.fresh("budget");
        String held = jsonString(300_000);
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            // a large PUT whose body arrives slowly: it holds 300 KB of the 320 KB budget
            out.write(("PUT /v1/cache/" + ns + "/held HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestKeys.ALL
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + held.length() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(held.substring(0, 1000).getBytes(StandardCharsets.US_ASCII));
            out.flush();

            // the headers of the held request are in; until its answer, a second large body does not fit
            String refused = given().contentType(ContentType.JSON).body(jsonString(100_000))
                    .put("/v1/cache/" + ns + "/second")
                    .then().statusCode(503).contentType(Problem.MEDIA_TYPE).header("Retry-After", "1")
                    .body("type", equalTo("urn:pgcache:problem:server-busy"))
                    .body("detail", containsString("pgcache.limits.max-in-flight-body-size"))
                    .extract().asString();
            assertTrue(refused.contains("100000 bytes"), refused);
            given().contentType(ContentType.JSON).body(jsonString(1000)).put("/v1/cache/" + ns + "/small").then().statusCode(201);
            given().get("/v1/cache/" + ns + "/second").then().statusCode(404); // the refused body was not stored

            out.write(held.substring(1000).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertTrue(status.startsWith("HTTP/1.1 201"), status);
        }
        // the held request's answer gave its share back
        given().contentType(ContentType.JSON).body(jsonString(100_000)).put("/v1/cache/" + ns + "/second").then().statusCode(201);
    }
}
