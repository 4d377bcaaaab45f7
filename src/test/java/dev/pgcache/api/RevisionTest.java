package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.AtOnce;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The source's own version: writes never go backwards, reads can demand a minimum. */
@QuarkusTest
class RevisionTest {

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("rev");
    }

    private int putRevision(String key, long revision, String json) {
        return given().contentType(ContentType.JSON).header("X-Revision", revision).body(json).put("/v1/cache/" + ns + "/" + key)
                .then().extract().statusCode();
    }

    @Test
    void olderRevisionIsRefusedWith409AndNothingWritten() {
        assertEquals(201, putRevision("block", 100, "\"r100\""));
        String etag = given().get("/v1/cache/" + ns + "/block").then().header("X-Revision", "100").extract().header("ETag");
        given().contentType(ContentType.JSON).header("X-Revision", 99).body("\"r99\"").put("/v1/cache/" + ns + "/block")
                .then().statusCode(409).contentType("application/problem+json").header("X-Revision", "100")
                .body("type", is("urn:pgcache:problem:revision-conflict"));
        given().get("/v1/cache/" + ns + "/block").then().header("ETag", etag).body(equalTo("\"r100\""));
        assertEquals(200, putRevision("block", 100, "\"r100-again\""), "an equal revision wins");
        assertEquals(200, putRevision("block", 101, "\"r101\""));
        given().get("/v1/cache/" + ns + "/block").then().header("X-Revision", "101").body(equalTo("\"r101\""));
    }

    @Test
    void aGoneEntryDoesNotHoldItsRevision() {
        putRevision("k", 50, "1");
        TestDatabase.setLifetime(ns, "k", -10, null);
        assertEquals(201, putRevision("k", 10, "2"));
    }

    @Test
    void minRevisionTurnsOlderEntriesIntoMisses() {
        putRevision("k", 7, "1");
        given().queryParam("min-revision", 7).get("/v1/cache/" + ns + "/k").then().statusCode(200);
        given().queryParam("min-revision", 8).get("/v1/cache/" + ns + "/k").then().statusCode(404).header("X-Cache", "MISS");
        given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/plain").then().statusCode(201);
        given().queryParam("min-revision", 0).get("/v1/cache/" + ns + "/plain").then().statusCode(404);
        given().queryParam("min-revision", "x").get("/v1/cache/" + ns + "/k").then().statusCode(400)
                .body("type", is("urn:pgcache:problem:invalid-revision"));
    }

    @Test
    void concurrentWritersAlwaysLeaveTheHighestRevision() throws Exception {
        int rounds = 4;
        int writers = 16;
        for (int round = 0; round < rounds; round++) {
            String key = "head-" + round;
            List<Integer> revisions = new ArrayList<>();
            for (int i = 1; i <= writers; i++) {
                revisions.add(i);
            }
            Collections.shuffle(revisions);
            List<Callable<Integer>> puts = new ArrayList<>();
            for (int rev : revisions) {
                puts.add(() -> putRevision(key, rev, "{\"rev\":" + rev + "}"));
            }
            for (int status : AtOnce.run(puts)) {
                org.junit.jupiter.api.Assertions.assertTrue(status == 200 || status == 201 || status == 409, "status " + status);
            }
            given().get("/v1/cache/" + ns + "/" + key).then().statusCode(200)
                    .header("X-Revision", Integer.toString(writers))
                    .body("rev", is(writers));
        }
    }
}
