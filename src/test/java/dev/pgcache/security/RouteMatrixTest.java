package dev.pgcache.security;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pgcache.testing.RawHttp;
import dev.pgcache.testing.Rows;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.ext.web.Route;
import dev.pgcache.testing.RouterSpy;

/**
 * Every route of the application, found by the test itself (the OpenAPI document for the REST
 * endpoints, the Vert.x router for everything else, so a route added later is covered the day it
 * is added), tried as an attacker would: each spelling of its request target that some HTTP
 * layer reads differently, with no key, a wrong key, a key with the wrong scope, a key for another
 * namespace and a key whose wildcard pattern an odd spelling might satisfy. Every answer must be
 * 400, 401, 403 or 404 problem+json (never 2xx, never 5xx); the right key must not be served
 * through an odd spelling either; and the table is unchanged afterwards.
 */
@QuarkusTest
class RouteMatrixTest {

    private static final String VICTIM = "sec-victim";
    private static final Set<Integer> REFUSED = Set.of(400, 401, 403, 404);

    @Inject
    RouterSpy routerSpy;

    /** One route: method and path template ({namespace}, {key}, {upstream}, or Vert.x :params). */
    record RouteUnderTest(String method, String template, Scope needs) {
        String path(String namespace) {
            return template.replace("{namespace}", namespace).replace(":namespace", namespace)
                    .replace("{key}", "k").replace(":key", "k").replace("{upstream}", "victim");
        }

        String body() {
            if (method.equals("GET") || method.equals("HEAD") || method.equals("DELETE")) {
                return null;
            }
            if (template.endsWith("batch-get")) {
                return "{\"keys\":[\"k\"]}";
            }
            if (template.endsWith("batch-put")) {
                return "{\"entries\":[{\"key\":\"k\",\"value\":\"overwritten\"}]}";
            }
            if (template.startsWith("/v1/rpc/")) {
                return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\"}";
            }
            return "\"overwritten\"";
        }
    }

    @Test
    void noSpellingOfAnyRouteIsServedWithoutTheRightKey() throws Exception {
        for (int i = 0; i < 5; i++) {
            given().contentType("application/json").body("{\"i\":" + i + "}").put("/v1/cache/" + VICTIM + "/k" + (i == 0 ? "" : i))
                    .then().statusCode(201);
        }
        String before = snapshot();
        List<RouteUnderTest> routes = routes();
        assertTrue(routes.size() >= 13, "found too few routes: " + routes);

        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (RouteUnderTest route : routes) {
            for (String target : spellings(route)) {
                boolean canonical = target.equals(route.path(VICTIM));
                for (Map.Entry<String, String> credential : credentialsThatMustNotPass(route).entrySet()) {
                    sent++;
                    check(route, target, credential.getKey(), credential.getValue(), failures);
                }
                if (!canonical) {
                    sent++;
                    check(route, target, "the right key", TestKeys.ALL, failures); // an odd spelling is never served
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + sent + " requests were not refused:\n"
                + String.join("\n", failures.subList(0, Math.min(60, failures.size()))));
        assertEquals(before, snapshot(), "the table changed");
    }

    private static void check(RouteUnderTest route, String target, String who, String secret, List<String> failures) throws Exception {
        List<String> headers = secret == null ? List.of() : List.of("Authorization: Bearer " + secret);
        RawHttp.Answer a = RawHttp.send(RestAssured.port, route.method(), target, headers, route.body());
        // a target the HTTP decoder itself refuses (a backslash) gets its bare 400 before pgcache runs: refused all the same
        boolean decoderRefusal = a.status() == 400 && a.header("content-type") == null && target.contains("\\");
        boolean problem = route.method().equals("HEAD") || decoderRefusal
                || String.valueOf(a.header("content-type")).startsWith("application/problem+json");
        if (!REFUSED.contains(a.status()) || !problem) {
            failures.add(route.method() + " " + target + " with " + who + " -> " + a);
        }
    }

    /** The REST operations from the OpenAPI document, and every other route the router holds. */
    private List<RouteUnderTest> routes() throws Exception {
        Set<RouteUnderTest> found = new LinkedHashSet<>();
        JsonNode paths = new ObjectMapper().readTree(given().get("/q/openapi?format=json").then().statusCode(200).extract().asString())
                .path("paths");
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> path = it.next();
            for (Iterator<String> methods = path.getValue().fieldNames(); methods.hasNext();) {
                String method = methods.next().toUpperCase();
                if (!Set.of("GET", "PUT", "POST", "DELETE", "HEAD", "PATCH").contains(method)) {
                    continue;
                }
                Scope needs = needs(method, path.getKey());
                found.add(new RouteUnderTest(method, path.getKey(), needs));
                if (method.equals("GET")) {
                    found.add(new RouteUnderTest("HEAD", path.getKey(), needs));
                }
            }
        }
        for (Route r : routerSpy.router().getRoutes()) {
            String path = r.getPath();
            if (path == null || path.equals("/") || isPublic(path)) {
                continue;
            }
            Set<String> methods = r.methods() == null || r.methods().isEmpty() ? Set.of("GET", "POST")
                    : r.methods().stream().map(Object::toString).collect(java.util.stream.Collectors.toSet());
            for (String m : methods) {
                found.add(new RouteUnderTest(m, path.endsWith("/") ? path.substring(0, path.length() - 1) : path, needs(m, path)));
            }
        }
        return new ArrayList<>(found);
    }

    /** GET /v1/me: any valid key may ask who it is (security.AnyKey); it touches no namespace. */
    private static final String CALLER = "/v1/me";

    private static boolean isPublic(String path) {
        // the console's files are public (api.ConsoleRoute); ConsoleAccessTest checks that nothing else near them is
        return path.startsWith("/q/health") || path.startsWith("/q/openapi") || path.startsWith("/q/swagger-ui")
                || path.startsWith("/console");
    }

    private static Scope needs(String method, String path) {
        if (path.equals(CALLER)) {
            return Scope.READ;
        }
        if (!path.startsWith("/v1/cache/") && !path.startsWith("/v1/rpc/")) {
            return Scope.ADMIN;
        }
        boolean read = method.equals("GET") || method.equals("HEAD") || path.endsWith("batch-get") || path.startsWith("/v1/rpc/");
        return read ? Scope.READ : Scope.WRITE;
    }

    /** Keys that must be refused on this route in the victim namespace, by a description. */
    private static Map<String, String> credentialsThatMustNotPass(RouteUnderTest route) {
        Map<String, String> c = new java.util.LinkedHashMap<>();
        c.put("no key", null);
        c.put("a wrong key", "not-a-key");
        c.put("a key for another namespace", TestKeys.NARROW); // read+write on sec-a only
        c.put("a key with the pattern *-public", TestKeys.PUBLIC);
        switch (route.needs()) {
            case READ -> c.put("a write-only key", TestKeys.WRITER);
            case WRITE -> c.put("a read-only key", TestKeys.READER);
            case ADMIN -> c.put("a read-only key", TestKeys.READER);
        }
        if (route.template().equals(CALLER)) {
            // /v1/me answers any valid key about that key itself, whatever its scopes and namespaces: only no key and a wrong one are refused
            c.remove("a key for another namespace");
            c.remove("a key with the pattern *-public");
            c.remove("a write-only key");
        }
        if (route.template().startsWith("/v1/rpc/")) {
            c.remove("a key for another namespace"); // the rpc namespace is rpc-victim, outside sec-*: all of them are refused
            c.put("a read key on other namespaces", TestKeys.READER);
        }
        return c;
    }

    /** The canonical target and the spellings that HTTP layers read in more than one way. */
    private static List<String> spellings(RouteUnderTest route) {
        String p = route.path(VICTIM);
        int second = p.indexOf('/', 1);
        String rest = second < 0 ? "" : p.substring(second); // after the first segment
        String first = second < 0 ? p.substring(1) : p.substring(1, second);
        Set<String> s = new LinkedHashSet<>();
        s.add(p);
        s.add("/" + p);
        s.add("/." + p);
        s.add("/x/.." + p);
        s.add("/%2e" + p);
        s.add("/%2E/.." + p);
        s.add("/" + first + "/." + rest);
        s.add("/" + first + "/x/.." + rest);
        s.add("/%" + Integer.toHexString(first.charAt(0)) + first.substring(1) + rest);
        s.add("/" + first + ";x" + rest);
        s.add("/" + first + "/" + rest);
        s.add("/" + first.toUpperCase() + rest);
        s.add("/" + first + "\\" + (rest.isEmpty() ? "" : rest.substring(1)));
        s.add(p + "/");
        s.add(p + "/.");
        s.add(p + "/x/..");
        s.add(p + ";x=1");
        s.add("http://any-host" + p);
        s.add("HTTP://localhost:1" + p);
        if (p.contains(VICTIM)) {
            s.add(p.replace(VICTIM, VICTIM + ";-public"));
            s.add(p.replace(VICTIM, VICTIM + ";x=-public"));
            s.add(p.replace(VICTIM, VICTIM + "%3B-public"));
            s.add(p.replace(VICTIM, "sec-%76ictim"));
            s.add(p.replace(VICTIM, "x-public/../" + VICTIM));
            s.add(p.replace(VICTIM, VICTIM + "/..%2F" + VICTIM));
        }
        if (p.endsWith("/k")) {
            String ns = p.substring(0, p.length() - 2);
            s.add(ns + "/;");
            s.add(ns + "/;x");
            s.add(ns + "/%2e");
            s.add(ns + "/%2e%2e");
            s.add(ns + "/");
        }
        return new ArrayList<>(s);
    }

    private static String snapshot() throws Exception {
        return Rows.snapshot("true");
    }
}
