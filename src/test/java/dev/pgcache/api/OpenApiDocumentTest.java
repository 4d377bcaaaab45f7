package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

import dev.pgcache.protocol.Problem;

/**
 * The OpenAPI document describes every /v1/ operation: a summary, example request bodies,
 * example success bodies, and its errors as problem+json with real problem types.
 */
@QuarkusTest
class OpenApiDocumentTest {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "head", "patch", "options");
    private static JsonNode document;

    /** Fetched in the first test rather than in @BeforeAll: REST Assured learns the random test port before each test. */
    @BeforeEach
    void fetch() throws Exception {
        if (document == null) {
            String json = given().get("/q/openapi?format=json").then().statusCode(200).extract().asString();
            document = new ObjectMapper().readTree(json);
        }
    }

    /** Every path and method under /v1/, as "METHOD path". */
    private static List<String> operations() {
        List<String> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (!path.getKey().startsWith("/v1/")) {
                continue;
            }
            path.getValue().fieldNames().forEachRemaining(m -> {
                if (METHODS.contains(m)) {
                    ops.add(m.toUpperCase() + " " + path.getKey());
                }
            });
        }
        return ops;
    }

    private static JsonNode operation(String op) {
        String[] parts = op.split(" ", 2);
        return document.path("paths").path(parts[1]).path(parts[0].toLowerCase());
    }

    /** Follows a local $ref (#/components/...) if the node is one. */
    private static JsonNode resolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref == null) {
            return node;
        }
        JsonNode target = document;
        for (String part : ref.asText().substring(2).split("/")) {
            target = target.path(part);
        }
        return target;
    }

    private static boolean hasExample(JsonNode mediaType) {
        return mediaType.hasNonNull("example") || mediaType.path("examples").size() > 0;
    }

    @Test
    void everyEndpointIsDocumented() {
        List<String> ops = operations();
        for (String expected : List.of("PUT /v1/cache/{namespace}/{key}", "GET /v1/cache/{namespace}/{key}",
                "DELETE /v1/cache/{namespace}/{key}", "POST /v1/cache/{namespace}/{key}/touch", "GET /v1/cache/{namespace}",
                "DELETE /v1/cache/{namespace}", "POST /v1/cache/{namespace}/batch-get", "POST /v1/cache/{namespace}/batch-put",
                "GET /v1/namespaces", "GET /v1/stats", "POST /v1/admin/purge", "POST /v1/rpc/{upstream}")) {
            assertTrue(ops.contains(expected), expected + " is in the document; it has " + ops);
        }
    }

    @Test
    void everyOperationHasASummaryExamplesAndProblemErrors() {
        List<String> failures = new ArrayList<>();
        for (String op : operations()) {
            JsonNode o = operation(op);
            if (o.path("summary").asText("").isBlank()) {
                failures.add(op + ": no summary");
            }
            JsonNode body = o.get("requestBody");
            if (body != null) {
                JsonNode content = resolve(body).path("content");
                if (content.isEmpty()) {
                    failures.add(op + ": request body without content");
                }
                content.fields().forEachRemaining(mt -> {
                    if (!hasExample(mt.getValue())) {
                        failures.add(op + ": request body " + mt.getKey() + " has no example");
                    }
                });
            }
            boolean problem4xx = false;
            boolean success = false;
            for (Iterator<Map.Entry<String, JsonNode>> it = o.path("responses").fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> r = it.next();
                String code = r.getKey();
                JsonNode response = resolve(r.getValue());
                if (response.path("description").asText("").isBlank()) {
                    failures.add(op + " " + code + ": no description");
                }
                JsonNode content = response.path("content");
                if (code.startsWith("2")) {
                    success = true;
                    content.fields().forEachRemaining(mt -> {
                        if (!hasExample(mt.getValue())) {
                            failures.add(op + " " + code + ": " + mt.getKey() + " has no example");
                        }
                    });
                } else if (code.startsWith("4") || code.startsWith("5")) {
                    JsonNode problem = content.get(Problem.MEDIA_TYPE);
                    if (problem == null || content.size() != 1) {
                        failures.add(op + " " + code + ": not documented as " + Problem.MEDIA_TYPE + " only");
                        continue;
                    }
                    problem4xx |= code.startsWith("4");
                    if (!resolve(problem.path("schema")).path("properties").has("type")) {
                        failures.add(op + " " + code + ": the schema is not the Problem schema");
                    }
                    if (!hasExample(problem)) {
                        failures.add(op + " " + code + ": no example problem");
                    }
                    problem.path("examples").fields().forEachRemaining(ex -> {
                        JsonNode value = resolve(ex.getValue()).path("value");
                        if (!value.path("type").asText().startsWith("urn:pgcache:problem:")
                                || !code.equals(value.path("status").asText())) {
                            failures.add(op + " " + code + ": example " + ex.getKey() + " is not a " + code + " pgcache problem: " + value);
                        }
                    });
                }
            }
            if (!success) {
                failures.add(op + ": no 2xx response");
            }
            if (!problem4xx) {
                failures.add(op + ": no 4xx problem+json response");
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void headersOfConditionalRequestsAndRevisionsAreDocumented() {
        assertEquals(Set.of("If-Match", "If-None-Match", "X-Revision", "Cache-Control"), headerParams("PUT /v1/cache/{namespace}/{key}"));
        assertEquals(Set.of("If-None-Match", "Cache-Control"), headerParams("GET /v1/cache/{namespace}/{key}"));
        assertEquals(Set.of("If-Match"), headerParams("DELETE /v1/cache/{namespace}/{key}"));

        JsonNode get = operation("GET /v1/cache/{namespace}/{key}").path("responses");
        for (String header : List.of("ETag", "Cache-Control", "Age", "X-Cache", "X-Revision")) {
            assertTrue(get.path("200").path("headers").has(header), "GET 200 documents " + header);
            assertTrue(get.path("304").path("headers").has(header), "GET 304 documents " + header);
        }
        JsonNode put = operation("PUT /v1/cache/{namespace}/{key}").path("responses");
        assertTrue(put.path("201").path("headers").has("Location"));
        assertTrue(put.path("409").path("headers").has("X-Revision"));
        assertTrue(put.path("412").path("headers").has("ETag"));
        assertTrue(put.path("503").path("headers").has("Retry-After"));
    }

    /** Operations any valid key may call (security.AnyKey): they never answer 403. */
    private static final java.util.Set<String> ANY_KEY_OPERATIONS = java.util.Set.of("GET /v1/me");

    @Test
    void everyOperationNeedsTheApiKeyAndSaysWhatHappensWithout() {
        assertEquals("bearer", document.path("components").path("securitySchemes").path("apiKey").path("scheme").asText());
        List<String> failures = new ArrayList<>();
        for (String op : operations()) {
            JsonNode o = operation(op);
            if (!o.path("security").toString().contains("\"apiKey\"")) {
                failures.add(op + ": no apiKey security requirement");
            }
            for (String code : List.of("401", "429", "503")) {
                if (!o.path("responses").has(code)) {
                    failures.add(op + ": no " + code);
                }
            }
            if (ANY_KEY_OPERATIONS.contains(op)) {
                if (o.path("responses").has("403")) {
                    failures.add(op + ": any valid key may call it (security.AnyKey), yet it documents a 403");
                }
                continue;
            }
            String forbidden = resolve(o.path("responses").path("403")).path("description").asText();
            if (!forbidden.matches(".*the (read|write|admin) scope.*")) {
                failures.add(op + ": the 403 does not name the scope: " + forbidden);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void theProblemSchemaIsAComponent() {
        JsonNode properties = document.path("components").path("schemas").path("Problem").path("properties");
        Set<String> names = new TreeSet<>();
        properties.fieldNames().forEachRemaining(names::add);
        assertEquals(new TreeSet<>(Set.of("type", "title", "status", "detail", "instance")), names);
    }

    @Test
    void everyParameterHasADescriptionAndASchema() {
        List<String> failures = new ArrayList<>();
        for (String op : operations()) {
            for (JsonNode p : operation(op).path("parameters")) {
                JsonNode param = resolve(p);
                if (param.path("description").asText("").isBlank() || !param.has("schema")) {
                    failures.add(op + ": parameter " + param.path("name").asText() + " lacks a description or a schema");
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void swaggerUiIsServed() {
        given().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
        assertFalse(operations().isEmpty());
    }

    private static Set<String> headerParams(String op) {
        Set<String> names = new TreeSet<>();
        for (JsonNode p : operation(op).path("parameters")) {
            JsonNode param = resolve(p);
            if ("header".equals(param.path("in").asText())) {
                names.add(param.path("name").asText());
            }
        }
        return names;
    }
}
