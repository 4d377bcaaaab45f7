package dev.pgcache.entry;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.StorageLimits;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * pgcache.storage.unlogged=true ({@link StorageLimits}): the service made cache_entry and its
 * indexes UNLOGGED at start, after Flyway created them logged, and works on it as before. What an
 * unlogged table loses in a crash is shown by DatabaseCrashIT.
 */
@QuarkusTest
@TestProfile(StorageLimits.class)
class UnloggedTableTest {

    @Test
    void theTableAndItsIndexesAreUnloggedAndServe() {
        assertEquals("u", TestDatabase.scalar("SELECT relpersistence::text FROM pg_class WHERE oid = 'pgcache.cache_entry'::regclass"));
        assertEquals(0L, TestDatabase.scalar("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                + "WHERE i.indrelid = 'pgcache.cache_entry'::regclass AND c.relpersistence <> 'u'"), "every index unlogged with it");
        assertEquals("p", TestDatabase.scalar("SELECT relpersistence::text FROM pg_class WHERE oid = 'pgcache.cache_entry_version_seq'::regclass"),
                "the version sequence stays logged: a version is never handed out twice, even after a crash");
        given().contentType(ContentType.JSON).body("{\"a\":1}").put("/v1/cache/unlogged/k").then().statusCode(201);
        given().get("/v1/cache/unlogged/k").then().statusCode(200);
    }
}
