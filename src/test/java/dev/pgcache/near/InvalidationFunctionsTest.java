package dev.pgcache.near;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The SQL functions an application calls in its own transactions (V7__invalidation_functions.sql),
 * and the recipe of docs/operations.md built on them: the entries go when the application's
 * transaction commits, from the table and from the near cache, and stay when it rolls back.
 */
@QuarkusTest
class InvalidationFunctionsTest {

    private static final Duration BOUND = Duration.ofSeconds(1);

    @Inject
    NearReads nearReads;

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("fn");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> given().get("/q/metrics").asString().contains("pgcache_near_cache_listening 1.0"));
    }

    private void put(String key, String tags) {
        given().contentType(ContentType.JSON).body("{\"k\": \"" + key + "\"}").put("/v1/cache/" + ns + "/" + key + tags).then().statusCode(201);
        given().get("/v1/cache/" + ns + "/" + key).then().statusCode(200);
        given().get("/v1/cache/" + ns + "/" + key).then().statusCode(200).header("Cache-Status", containsString("detail=memory"));
    }

    private int status(String key) {
        return given().get("/v1/cache/" + ns + "/" + key).statusCode();
    }

    private long call(Connection c, String sql, String... args) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void eachFunctionDeletesWhatItNamesWhenTheTransactionCommits() throws Exception {
        put("k1", "");
        put("user:1", "");
        put("user:2", "");
        put("user_3", ""); // '_' is no wildcard: not under the prefix 'user:'
        put("t1", "?tag=red");
        put("t2", "?tag=red&tag=blue");
        put("t3", "?tag=blue");
        try (Connection c = TestDatabase.connect()) {
            c.setAutoCommit(false);
            assertEquals(1, call(c, "SELECT pgcache.invalidate_key(?, ?)", ns, "k1"));
            assertEquals(2, call(c, "SELECT pgcache.invalidate_prefix(?, ?)", ns, "user:"));
            assertEquals(2, call(c, "SELECT pgcache.invalidate_tag(?, ?)", ns, "red"));
            // nothing is announced before the commit: this replica still answers the old entries
            assertTrue(nearReads.awaitCaughtUp(BOUND));
            assertEquals(200, status("k1"));
            c.commit();
        }
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        assertEquals(404, status("k1"));
        assertEquals(404, status("user:1"));
        assertEquals(404, status("user:2"));
        assertEquals(200, status("user_3"));
        assertEquals(404, status("t1"));
        assertEquals(404, status("t2"));
        assertEquals(200, status("t3"));

        assertEquals(2, ((Number) TestDatabase.scalar("SELECT pgcache.invalidate_namespace(?)", ns)).longValue());
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        assertEquals(404, status("user_3"));
        assertEquals(404, status("t3"));
    }

    @Test
    void aRolledBackTransactionInvalidatesNothing() throws Exception {
        put("k1", "?tag=red");
        try (Connection c = TestDatabase.connect()) {
            c.setAutoCommit(false);
            assertEquals(1, call(c, "SELECT pgcache.invalidate_key(?, ?)", ns, "k1"));
            assertEquals(0, call(c, "SELECT pgcache.invalidate_tag(?, ?)", ns, "red")); // already gone in this transaction
            c.rollback();
        }
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        given().get("/v1/cache/" + ns + "/k1").then().statusCode(200).header("Cache-Status", containsString("detail=memory"));
    }

    /** docs/operations.md, "Recipe: drop a summary whenever a table it is built from changes", with the SQL as written there. */
    @Test
    void theRevisionWatermarkRecipe() throws Exception {
        String schema = "shop_" + ns.replaceAll("[^a-z0-9]", "_");
        String tag = "table:" + schema + ".orders";
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            s.execute("CREATE TABLE " + schema + ".orders (id bigint PRIMARY KEY, customer text NOT NULL, total numeric NOT NULL)");
            s.execute("CREATE FUNCTION " + schema + ".orders_changed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                    + "BEGIN\n"
                    + "    PERFORM pgcache.invalidate_tag('" + ns + "', '" + tag + "');\n"
                    + "    RETURN NULL;\n"
                    + "END\n"
                    + "$$");
            s.execute("CREATE TRIGGER orders_invalidate_reports\n"
                    + "    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON " + schema + ".orders\n"
                    + "    FOR EACH STATEMENT EXECUTE FUNCTION " + schema + ".orders_changed()");
        }
        put("daily-totals", "?tag=" + tag + "&ttl=1h");
        put("unrelated", "?tag=table:other");

        // a change that rolls back keeps the summary
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO " + schema + ".orders VALUES (1, 'ann', 10)");
            c.rollback();
        }
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        given().get("/v1/cache/" + ns + "/daily-totals").then().statusCode(200).header("Cache-Status", containsString("detail=memory"));

        // a change that commits drops it, on this replica's near cache too, and nothing else
        TestDatabase.execute("INSERT INTO " + schema + ".orders VALUES (1, 'ann', 10)");
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        assertEquals(404, status("daily-totals"));
        assertEquals(200, status("unrelated"));

        // rebuilt, then dropped again by an UPDATE and by a TRUNCATE of the source table
        put("daily-totals", "?tag=" + tag + "&ttl=1h");
        TestDatabase.execute("UPDATE " + schema + ".orders SET total = 12 WHERE id = 1");
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        assertEquals(404, status("daily-totals"));
        put("daily-totals", "?tag=" + tag + "&ttl=1h");
        TestDatabase.execute("TRUNCATE " + schema + ".orders");
        assertTrue(nearReads.awaitCaughtUp(BOUND));
        assertEquals(404, status("daily-totals"));
    }
}
