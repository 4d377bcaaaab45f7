package dev.pgcache.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;

import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/**
 * Every endpoint with no key, an unknown key, a key without the scope, a key without the
 * namespace, and the right key. Keys (see application.properties, %test): reader = read on
 * sec-*, writer = write on sec-*, admin = admin only, narrow = read+write on sec-a only.
 */
@QuarkusTest
class ApiKeyTest {

    enum Need { READ, WRITE, ADMIN }

    record Endpoint(String method, String path, String body, Need need) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static Stream<Arguments> endpoints() {
        return Stream.of(
                new Endpoint("GET", "/v1/cache/{ns}/k", null, Need.READ),
                new Endpoint("HEAD", "/v1/cache/{ns}/k", null, Need.READ),
                new Endpoint("GET", "/v1/cache/{ns}", null, Need.READ),
                new Endpoint("POST", "/v1/cache/{ns}/batch-get", "{\"keys\":[\"k\"]}", Need.READ),
                new Endpoint("PUT", "/v1/cache/{ns}/k", "{\"v\":1}", Need.WRITE),
                new Endpoint("DELETE", "/v1/cache/{ns}/k", null, Need.WRITE),
                new Endpoint("POST", "/v1/cache/{ns}/k/touch", null, Need.WRITE),
                new Endpoint("DELETE", "/v1/cache/{ns}", null, Need.WRITE),
                new Endpoint("POST", "/v1/cache/{ns}/batch-put", "{\"entries\":[{\"key\":\"k\",\"value\":1}]}", Need.WRITE),
                new Endpoint("POST", "/v1/admin/purge", null, Need.ADMIN),
                new Endpoint("GET", "/v1/stats", null, Need.ADMIN),
                new Endpoint("GET", "/v1/namespaces", null, Need.ADMIN),
                new Endpoint("GET", "/q/metrics", null, Need.ADMIN)).map(Arguments::of);
    }

    @BeforeEach
    void entryExists() {
        given().contentType("application/json").body("1").put("/v1/cache/sec-a/k").then().statusCode(oneOf(200, 201));
    }

    private static ValidatableResponse call(Endpoint e, String ns, String secret) {
        RequestSpecification r = given().contentType("application/json");
        r = secret == null ? r.header(TestKeys.ANONYMOUS, "1") : r.header("Authorization", "Bearer " + secret);
        if (e.body() != null) {
            r = r.body(e.body());
        }
        return r.request(e.method(), e.path().replace("{ns}", ns)).then();
    }

    private static void isProblem(ValidatableResponse r, int status, String type) {
        r.statusCode(status);
        if (status != 0) {
            r.header("Content-Type", containsString("application/problem+json"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void noKeyIs401WithABearerChallenge(Endpoint e) {
        ValidatableResponse r = call(e, "sec-a", null).statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
        if (!e.method().equals("HEAD")) {
            r.contentType("application/problem+json").body("type", is("urn:pgcache:problem:unauthorized"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void unknownKeyIs401(Endpoint e) {
        call(e, "sec-a", "not-a-key").statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
        call(e, "sec-a", TestKeys.ALL + "x").statusCode(401);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void keyWithoutTheScopeIs403(Endpoint e) {
        String wrongScope = switch (e.need()) {
            case READ -> TestKeys.WRITER;
            case WRITE -> TestKeys.READER;
            case ADMIN -> TestKeys.READER;
        };
        ValidatableResponse r = call(e, "sec-a", wrongScope).statusCode(403);
        if (!e.method().equals("HEAD")) {
            r.contentType("application/problem+json").body("type", is("urn:pgcache:problem:forbidden"),
                    "detail", containsString(e.need().name().toLowerCase()));
        }
        if (e.need() != Need.ADMIN) {
            call(e, "sec-a", TestKeys.ADMIN).statusCode(403); // admin does not imply read or write
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void keyWithoutTheNamespaceIs403(Endpoint e) {
        if (e.need() == Need.ADMIN) {
            return; // admin endpoints touch no single namespace
        }
        ValidatableResponse r = call(e, "sec-b", TestKeys.NARROW).statusCode(403);
        if (!e.method().equals("HEAD")) {
            r.body("detail", containsString("sec-b"));
        }
        call(e, "other", TestKeys.READER).statusCode(403);
        call(e, "%73ec-b", TestKeys.NARROW).statusCode(400); // percent-encoding does not get around it: namespaces are plain
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void rightKeyIsLetThrough(Endpoint e) {
        String right = switch (e.need()) {
            case READ -> TestKeys.READER;
            case WRITE -> TestKeys.WRITER;
            case ADMIN -> TestKeys.ADMIN;
        };
        call(e, "sec-a", right).statusCode(not(oneOf(401, 403))).statusCode(lessThan(500));
        if (e.need() != Need.ADMIN) {
            call(e, "sec-a", TestKeys.NARROW).statusCode(not(oneOf(401, 403))).statusCode(lessThan(500));
        }
    }

    @Test
    void aPathNoEndpointServesIs401WithoutAKeyAnd404WithOne() {
        given().header(TestKeys.ANONYMOUS, "1").get("/v1/not-yet-an-endpoint").then().statusCode(401);
        given().header("Authorization", "Bearer " + TestKeys.READER).get("/v1/not-yet-an-endpoint").then().statusCode(404)
                .contentType("application/problem+json");
        given().header(TestKeys.ANONYMOUS, "1").get("/not-an-api-path").then().statusCode(404).contentType("application/problem+json");
        given().get("/q/dev-ui").then().statusCode(404); // an undeclared path is refused to every key
    }

    /** A refusal is answered before the body is read: the headers announce 1 MB that never comes, and the answer still does. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = { "", TestKeys.READER })
    void aRefusedWriteIsAnsweredWithoutWaitingForItsBody(String secret) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
            s.setSoTimeout(10_000); // the server's body read timeout is far longer: waiting for the body would fail here
            String auth = secret.isEmpty() ? "" : "Authorization: Bearer " + secret + "\r\n";
            s.getOutputStream().write(("PUT /v1/cache/sec-a/k HTTP/1.1\r\nHost: x\r\n" + auth
                    + "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] head = new byte[12];
            int n = s.getInputStream().readNBytes(head, 0, head.length);
            org.junit.jupiter.api.Assertions.assertEquals("HTTP/1.1 " + (secret.isEmpty() ? "401" : "403"),
                    new String(head, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void healthAndApiDocsStayOpen() {
        given().header(TestKeys.ANONYMOUS, "1").get("/q/health/ready").then().statusCode(200);
        given().header(TestKeys.ANONYMOUS, "1").get("/q/health/live").then().statusCode(200);
        given().header(TestKeys.ANONYMOUS, "1").get("/q/openapi").then().statusCode(200);
    }

    @Test
    void bearerSchemeIsCaseInsensitiveAndOtherSchemesAreRefused() {
        given().header("Authorization", "bearer " + TestKeys.READER).get("/v1/cache/sec-a/k").then().statusCode(200);
        given().header("Authorization", "Basic dGVzdDp0ZXN0").get("/v1/cache/sec-a/k").then().statusCode(401);
        given().header("Authorization", "Bearer").get("/v1/cache/sec-a/k").then().statusCode(401);
    }

    @Test
    void keyNamesAppearInMetricsAndSecretsNowhere() {
        call(new Endpoint("GET", "/v1/stats", null, Need.ADMIN), "sec-a", TestKeys.READER).statusCode(403);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertTrue(
                metrics.contains("pgcache_auth_requests_total{key=\"test-reader\",outcome=\"forbidden\"}"), "per-key metric");
        org.junit.jupiter.api.Assertions.assertFalse(metrics.contains(TestKeys.READER), "no secret in metrics");
    }
}
