package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.protocol.ProblemException;
import dev.pgcache.protocol.Problem;
import dev.pgcache.entry.KeyRules;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.Rows;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/**
 * Keys, tags and prefixes must be Unicode text. A JSON body can spell an unpaired UTF-16
 * surrogate ("\ud800"), which UTF-8 cannot encode: the database driver sent it as '?', so two
 * such keys in one batch-put failed the statement with a 500, and one overwrote the real key "?".
 */
@QuarkusTest
class UnicodeKeysTest {

    @Inject
    KeyRules keyRules;

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("unicode");
    }

    private ValidatableResponse post(String endpoint, String body) {
        return given().contentType(ContentType.JSON).body(body).post("/v1/cache/" + ns + "/" + endpoint).then();
    }

    @Test
    void unpairedSurrogatesInBatchKeysAreRefusedAndTheKeyQuestionMarkIsUntouched() {
        given().contentType(ContentType.JSON).body("\"the real ?\"").put("/v1/cache/" + ns + "/%3F").then().statusCode(201);

        post("batch-put", "{\"entries\":[{\"key\":\"\\ud800\",\"value\":1},{\"key\":\"\\udbff\",\"value\":2}]}").statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:pgcache:problem:invalid-key"),
                        "detail", equalTo("entries[0].key: the key contains an unpaired UTF-16 surrogate (\\ud800 at character 0), "
                                + "which is not Unicode text and cannot be stored"));
        post("batch-put", "{\"entries\":[{\"key\":\"a\\udc00\",\"value\":1}]}").statusCode(400)
                .body("type", equalTo("urn:pgcache:problem:invalid-key"), "detail", containsString("(\\udc00 at character 1)"));
        post("batch-get", "{\"keys\":[\"ok\",\"\\ud800\",\"\\ud800\"]}").statusCode(400)
                .body("type", equalTo("urn:pgcache:problem:invalid-key"), "detail", containsString("keys[1]: the key contains an unpaired"));
        post("batch-put", "{\"entries\":[{\"key\":\"t\",\"value\":1,\"tags\":[\"ok\",\"x\\ud800\"]}]}").statusCode(400)
                .body("type", equalTo("urn:pgcache:problem:invalid-tag"), "detail", containsString("a tag contains an unpaired UTF-16 surrogate"));

        given().get("/v1/cache/" + ns + "/%3F").then().statusCode(200).body(equalTo("\"the real ?\""));
        assertEquals(1, Rows.count(ns), "only the key '?' is stored");
    }

    @Test
    void surrogatePairsAreOrdinaryKeys() {
        post("batch-put", "{\"entries\":[{\"key\":\"\\ud83d\\ude00\",\"value\":1,\"tags\":[\"\\ud83d\\ude00\"]}]}").statusCode(200)
                .body("written", is(1));
        given().urlEncodingEnabled(false).get("/v1/cache/" + ns + "/%F0%9F%98%80").then().statusCode(200).body(equalTo("1"));
        post("batch-get", "{\"keys\":[\"😀\"]}").statusCode(200).body("hits", is(1));
    }

    @Test
    void prefixesAndTagsMustBeUnicodeToo() {
        ProblemException prefix = assertThrows(ProblemException.class, () -> keyRules.checkPrefix("block:\ud800"));
        assertEquals("invalid-prefix", prefix.slug());
        assertEquals("invalid-tag", assertThrows(ProblemException.class, () -> keyRules.checkTag("\udfff")).slug());
        assertEquals("invalid-key", assertThrows(ProblemException.class, () -> keyRules.checkKey("\ud83d")).slug());
        assertEquals("😀", keyRules.checkKey("😀"));
    }
}
