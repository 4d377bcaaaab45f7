package dev.pgcache.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.Rows;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * A few hundred requests, each with at least one defect (bad JSON, bad UTF-8, odd headers, huge
 * and deep bodies, strange keys and namespaces, bad parameters, missing or wrong keys), drawn
 * from a fixed seed so a failure can be replayed. Every answer must be a 4xx problem+json, none
 * a 5xx, and the table must hold exactly what it held before.
 */
@QuarkusTest
class MalformedRequestFuzzTest {

    private static final String NS = "fuzz";
    private static final int REQUESTS = 400;

    /** One defective request: a description for the failure message and how to send it. */
    record Case(String what, Function<RequestSpecification, Response> send) {
    }

    @Test
    void everyMalformedRequestGetsA4xxProblemAndChangesNothing() throws Exception {
        for (int i = 0; i < 20; i++) {
            given().contentType("application/json").body("{\"i\":" + i + "}").put("/v1/cache/" + NS + "/k" + i).then().statusCode(201);
        }
        String before = snapshot();
        Random rnd = new Random(20261122);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            Case c = anyCase(rnd);
            Response r = c.send().apply(given().urlEncodingEnabled(false));
            int status = r.statusCode();
            String type = r.contentType();
            boolean headless = c.what().startsWith("HEAD");
            if (status < 400 || status >= 500 || !headless && (type == null || !type.startsWith("application/problem+json"))) {
                failures.add("#" + i + " " + c.what() + " -> " + status + " " + type + " " + abbreviate(r.asString()));
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " bad answers:\n" + String.join("\n", failures));
        assertEquals(before, snapshot(), "the table changed");
    }

    private Case anyCase(Random rnd) {
        String key = "k" + rnd.nextInt(20);
        return switch (rnd.nextInt(12)) {
            case 0 -> {
                String body = pick(rnd, BAD_JSON);
                yield new Case("PUT bad JSON " + abbreviate(body),
                        r -> r.contentType("application/json").body(body).put("/v1/cache/" + NS + "/" + key));
            }
            case 1 -> {
                byte[] body = badUtf8(rnd);
                yield new Case("PUT bad UTF-8", r -> r.contentType("application/json").body(body).put("/v1/cache/" + NS + "/" + key));
            }
            case 2 -> {
                int depth = 65 + rnd.nextInt(5000);
                String body = "[".repeat(depth) + "]".repeat(rnd.nextBoolean() ? depth : depth / 2);
                yield new Case("PUT nested " + depth, r -> r.contentType("application/json").body(body).put("/v1/cache/" + NS + "/" + key));
            }
            case 3 -> {
                String body = "\"" + "x".repeat(1024 * 1024 + rnd.nextInt(1000)) + "\"";
                yield new Case("PUT huge", r -> r.contentType("application/json").body(body).put("/v1/cache/" + NS + "/" + key));
            }
            case 4 -> {
                String bad = pick(rnd, BAD_KEYS);
                String method = pick(rnd, new String[] { "GET", "PUT", "DELETE", "HEAD" });
                yield new Case(method + " strange key " + abbreviate(bad),
                        r -> r.contentType("application/json").body("1").request(method, "/v1/cache/" + NS + "/" + bad));
            }
            case 5 -> {
                String bad = pick(rnd, BAD_NAMESPACES);
                yield new Case("PUT strange namespace " + bad,
                        r -> r.contentType("application/json").body("1").put("/v1/cache/" + bad + "/" + key));
            }
            case 6 -> {
                String query = pick(rnd, BAD_QUERIES);
                yield new Case("PUT " + query, r -> r.contentType("application/json").body("1").put("/v1/cache/" + NS + "/" + key + "?" + query));
            }
            case 7 -> {
                String query = pick(rnd, BAD_LIST_QUERIES);
                yield new Case("GET list " + query, r -> r.get("/v1/cache/" + NS + "?" + query));
            }
            case 8 -> {
                String[] h = pick(rnd, BAD_HEADERS);
                yield new Case("PUT header " + h[0] + ": " + h[1],
                        r -> r.contentType(h[0].equals("Content-Type") ? h[1] : "application/json").header(h[0], h[1]).body("7".getBytes(StandardCharsets.UTF_8))
                                .put("/v1/cache/" + NS + "/" + key));
            }
            case 9 -> {
                String body = pick(rnd, BAD_BATCHES);
                String op = rnd.nextBoolean() ? "batch-put" : "batch-get";
                yield new Case("POST " + op + " " + abbreviate(body),
                        r -> r.contentType("application/json").body(body).post("/v1/cache/" + NS + "/" + op));
            }
            case 10 -> {
                String auth = pick(rnd, BAD_AUTH);
                String method = pick(rnd, new String[] { "GET", "PUT", "DELETE" });
                yield new Case(method + " auth '" + auth + "'", r -> (auth.isEmpty() ? r.header(TestKeys.ANONYMOUS, "1") : r.header("Authorization", auth))
                        .contentType("application/json").body("1").request(method, "/v1/cache/" + NS + "/" + key));
            }
            default -> {
                String method = pick(rnd, new String[] { "POST", "PATCH" });
                yield new Case(method + " entry", r -> r.contentType("application/json").body("1").request(method, "/v1/cache/" + NS + "/" + key));
            }
        };
    }

    private static final String[] BAD_JSON = { "", " ", "{", "}", "[1,]", "{\"a\" 1}", "{'a':1}", "tru", "nul", "NaN", "Infinity", "-",
            "01", "1.", ".5", "+1", "\"unterminated", "\"\\x\"", "\"\\u12\"", "{\"a\":1}}", "[1] [2]", "1 2", "/* c */ 1", "\"a\\u0000b\"",
            "{\"\\u0000\":1}", "\"\t\"", "1e1000000", "-1e1000000", "1" + "0".repeat(1500), "{\"a\":1,}", "[\"a\" \"b\"]", "\u00ff" };

    private static final String[] BAD_KEYS = { "%FF", "%C3%28", "%E2%82", "%00", "a%00b", "%ED%A0%80", "x".repeat(513),
            "%C3%A9".repeat(300), "%2E", "%2E%2E", "%2e%2E" };

    private static final String[] BAD_NAMESPACES = { "UPPER", "-x", ".x", "_x", "a%20b", "a%2Fb", "%C3%A9t%C3%A9", "x".repeat(65), "a*b",
            "%FF", "a%00" };

    private static final String[] BAD_QUERIES = { "ttl=-1", "ttl=abc", "ttl=", "ttl=1&ttl=2", "ttl=P1M", "ttl=P99999D", "ttl=1e3",
            "stale=-5", "stale=never", "stale=", "tag=", "tag=" + "t".repeat(200), "ttl=99999999999999999999", "ttl=PT-1S" };

    private static final String[] BAD_LIST_QUERIES = { "limit=0", "limit=-1", "limit=100000", "limit=x", "after=%25%25", "after=!!",
            "prefix=", "prefix=a&prefix=b", "after=" + "A".repeat(2000) };

    private static final String[][] BAD_HEADERS = { { "If-Match", "garbage" }, { "If-Match", "\"1" }, { "If-None-Match", "W/1" },
            { "X-Revision", "-1" }, { "X-Revision", "1.5" }, { "X-Revision", "abc" }, { "X-Revision", "99999999999999999999" },
            { "Cache-Control", "max-age=x" }, { "Cache-Control", "max-age=-1" }, { "Cache-Control", "stale-while-revalidate=" },
            { "Content-Type", "text/plain" }, { "Content-Type", "application/xml" }, { "Content-Type", "garbage" },
            { "If-Match", "\"999999999\"" }, { "If-Match", "*, \"1\"" } };

    private static final String[] BAD_BATCHES = { "", "[]", "{}", "{\"keys\":1}", "{\"entries\":[1]}", "{\"keys\":[null]}",
            "{\"entries\":[{\"key\":\"k1\"}]}", "{\"entries\":[{\"value\":1}]}", "{\"entries\":[{\"key\":\"k1\",\"value\":1,\"x\":2}]}",
            "{\"entries\":[{\"key\":\"k1\",\"value\":1},{\"key\":\"k1\",\"value\":2}]}", "{\"keys\":[\"" + "k".repeat(600) + "\"]}",
            "{\"entries\":[{\"key\":\"k1\",\"value\":1,\"ttl\":\"-1\"}]}", "{\"entries\":[{\"key\":\"k1\",\"value\":\"\\u0000\"}]}",
            "{\"entries\":[{\"key\":\"k1\",\"value\":1e1000000}]}", "{\"entries\":[{\"key\":\"k1\",\"value\":" + "[".repeat(100) + "]".repeat(100) + "}]}",
            "{\"keys\":[\"a\"]} trailing", "{\"entries\":[{\"key\":\"k1\",\"value\":1,\"revision\":\"x\"}]}" };

    private static final String[] BAD_AUTH = { "", "Bearer", "Bearer ", "Bearer nope", "Basic Zm9vOmJhcg==", "bearer" + TestKeys.ALL,
            "Bearer " + TestKeys.ALL + " ", "Bearer " + TestKeys.READER };

    private static <T> T pick(Random rnd, T[] options) {
        return options[rnd.nextInt(options.length)];
    }

    private static byte[] badUtf8(Random rnd) {
        byte[][] bad = { { (byte) 0xC3, 0x28 }, { (byte) 0xFF }, { (byte) 0xED, (byte) 0xA0, (byte) 0x80 }, { (byte) 0xE2, (byte) 0x82 },
                { (byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80 }, { (byte) 0xC0, (byte) 0xAF } };
        byte[] middle = bad[rnd.nextInt(bad.length)];
        byte[] start = "\"ok".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[start.length + middle.length + 1];
        System.arraycopy(start, 0, body, 0, start.length);
        System.arraycopy(middle, 0, body, start.length, middle.length);
        body[body.length - 1] = '"';
        return body;
    }

    private static String snapshot() throws Exception {
        return Rows.snapshot("namespace = 'fuzz' OR namespace NOT LIKE '%-%'");
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }
}
