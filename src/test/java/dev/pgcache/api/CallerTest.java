package dev.pgcache.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pgcache.testing.RawHttp;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * GET /v1/me answers every valid key about itself, whatever its scopes: a key with the admin scope
 * alone, or the write scope alone, used to get a 403 when it asked who it is. Without a valid key
 * it is a 401 problem, however the key is presented.
 */
@QuarkusTest
class CallerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static RawHttp.Answer me(String... headers) throws Exception {
        return RawHttp.send(RestAssured.port, "GET", "/v1/me", List.of(headers), null);
    }

    @Test
    void everyValidKeyMayAskWhoItIs() throws Exception {
        Map<String, String> keys = new LinkedHashMap<>(); // secret -> name, as configured under %test
        keys.put(TestKeys.ADMIN, "test-admin");
        keys.put(TestKeys.WRITER, "test-writer");
        keys.put(TestKeys.READER, "test-reader");
        keys.put(TestKeys.ALL, "test-all");
        keys.put(TestKeys.NARROW, "test-narrow");
        keys.put(TestKeys.PUBLIC, "test-public");
        keys.put(TestKeys.RPC_ADMIN, "test-rpc-admin");
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, String> key : keys.entrySet()) {
            RawHttp.Answer a = me("Authorization: Bearer " + key.getKey());
            if (a.status() != 200) {
                failures.add(key.getValue() + ": " + a);
                continue;
            }
            JsonNode body = JSON.readTree(a.body());
            if (!body.path("key").asText().equals(key.getValue())) {
                failures.add(key.getValue() + " was told it is " + body.path("key"));
            }
            assertFalse(a.body().contains(key.getKey()), "the secret is never in the answer");
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void aKeyWithOnlyTheAdminScopeIsToldItsScopeAndNoNamespace() throws Exception {
        RawHttp.Answer a = me("Authorization: Bearer " + TestKeys.ADMIN);
        assertEquals(200, a.status(), a.toString());
        JsonNode body = JSON.readTree(a.body());
        assertEquals("[\"admin\"]", body.path("scopes").toString());
        assertEquals(0, body.path("namespaces").size(), "it may read or write no namespace: " + a.body());
    }

    @Test
    void aKeyWithOnlyTheWriteScopeSeesWhereItMayWriteOnly() throws Exception {
        RawHttp.Answer a = me("Authorization: Bearer " + TestKeys.WRITER);
        assertEquals(200, a.status(), a.toString());
        JsonNode body = JSON.readTree(a.body());
        assertEquals("[\"write\"]", body.path("scopes").toString());
        for (JsonNode ns : body.path("namespaces")) {
            assertFalse(ns.path("read").asBoolean(), "no read anywhere: " + ns);
        }
    }

    @Test
    void withoutAValidKeyItIsA401Problem() throws Exception {
        String hashOfAll = "8c35a9dbb3f9fb5f84d87f11808950c45fa459f79b90904a9ef6156f65e7b7da"; // what the config holds, not the secret
        List<List<String>> presented = List.of(
                List.of(),
                List.of("Authorization: Bearer not-a-key"),
                List.of("Authorization: Bearer " + hashOfAll),
                List.of("Authorization: Bearer " + TestKeys.ALL + "x"),
                List.of("Authorization: Bearer " + TestKeys.ALL.substring(1)),
                List.of("Authorization: Basic " + TestKeys.ALL),
                List.of("Authorization: Token " + TestKeys.ALL),
                List.of("Authorization: " + TestKeys.ALL),
                List.of("Authorization: Bearer"),
                List.of("Authorization: Bearer "),
                List.of("X-Api-Key: " + TestKeys.ALL),
                List.of("Cookie: key=" + TestKeys.ALL));
        List<String> failures = new ArrayList<>();
        for (List<String> headers : presented) {
            RawHttp.Answer a = me(headers.toArray(String[]::new));
            boolean problem = a.header("content-type") != null && a.header("content-type").startsWith("application/problem+json");
            if (a.status() != 401 || !problem || a.header("www-authenticate") == null
                    || JSON.readTree(a.body()).path("detail").asText().isEmpty()) {
                failures.add(headers + ": " + a);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void twoKeysAreRefusedNotChosenBetween() throws Exception {
        RawHttp.Answer a = me("Authorization: Bearer " + TestKeys.ADMIN, "Authorization: Bearer " + TestKeys.ALL);
        assertEquals(400, a.status(), a.toString());
        assertEquals("urn:pgcache:problem:invalid-header", JSON.readTree(a.body()).path("type").asText());
    }
}
