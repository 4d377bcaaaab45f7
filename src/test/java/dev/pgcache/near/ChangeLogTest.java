package dev.pgcache.near;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.pgcache.entry.EntryId;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * The change log's upkeep (migration V15, {@link ChangeListener}): the listener deletes a
 * transaction's rows once they are older than ten times max-lag, and the triggers carry the names
 * that a replica of the code before V15 does not know (so it stops answering from memory during
 * a rolling upgrade); what any role may write to it (V16), and how much of it one poll takes.
 * A short max-lag here, so the retention is 2 s.
 */
@QuarkusTest
@TestProfile(ChangeLogTest.ShortLag.class)
class ChangeLogTest {

    public static class ShortLag implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pgcache.near-cache.max-lag", "200ms");
        }
    }

    @Inject
    NearCache near;

    private static long logged(String xid) {
        return ((Number) TestDatabase.scalar("SELECT count(*) FROM pgcache.cache_change_log WHERE xid = CAST(? AS xid8)", xid)).longValue();
    }

    @Test
    void aTransactionsRowsAreDeletedAfterTheRetention() throws SQLException {
        String ns = Namespaces.fresh("log-prune");
        TestDatabase.execute("INSERT INTO pgcache.cache_entry (namespace, cache_key, value, fetched_at, version, size_bytes) "
                + "VALUES (?, 'k', '{}', now(), nextval('pgcache.cache_entry_version_seq'), 2)", ns);
        String xid;
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("UPDATE pgcache.cache_entry SET value = '{\"v\": 2}' WHERE namespace = '" + ns + "'");
            try (ResultSet rs = s.executeQuery("SELECT CAST(pg_current_xact_id() AS text)")) {
                rs.next();
                xid = rs.getString(1);
            }
            c.commit();
        }
        assertEquals(1, logged(xid), "the update is in the log");
        // kept for the retention (2 s): the horizon the listener deletes below is a snapshot at least that old
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(() -> logged(xid) == 1);
        // then deleted by the listener's next pass (once a second)
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> logged(xid) == 0);
    }

    @Test
    void aBacklogLeftWhileNoReplicaRanIsDeletedInBatches() {
        // 60,000 rows of long-finished transactions, as other writers leave while no replica runs:
        // more than one pass deletes (50,000). Their xids are below every running transaction's
        // (the oldest xmin now, and at most 1,000 before it): a fresh cluster has used fewer
        // xids than 60,000, and a row with a future xid would be read by every poll as a change
        // that has not committed yet, and deleted by none (it failed so on a new CI machine).
        TestDatabase.execute("""
                INSERT INTO pgcache.cache_change_log (xid, payload)
                SELECT CAST(CAST(greatest(3, oldest - 1 - g % 1000) AS text) AS xid8), '{"namespaces":["log-backlog"]}'
                FROM (SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text) AS bigint) AS oldest) AS now,
                     generate_series(1, 60000) AS g""");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> ((Number) TestDatabase.scalar(
                "SELECT count(*) FROM pgcache.cache_change_log WHERE payload = '{\"namespaces\":[\"log-backlog\"]}'")).longValue() == 0);
    }

    @Test
    void anyRoleMayAppendAPayloadButNotChooseItsXid() throws SQLException {
        String ns = Namespaces.fresh("log-role");
        TestDatabase.execute("INSERT INTO pgcache.cache_entry (namespace, cache_key, value, fetched_at, version, size_bytes) "
                + "VALUES (?, 'k', '{}', now(), nextval('pgcache.cache_entry_version_seq'), 2)", ns);
        String role = "pgcache_log_writer_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 1_000_000;
        TestDatabase.execute("CREATE ROLE " + role + " NOLOGIN");
        try {
            TestDatabase.execute("GRANT USAGE ON SCHEMA pgcache TO " + role);
            TestDatabase.execute("GRANT SELECT, UPDATE ON pgcache.cache_entry TO " + role);
            try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute("SET LOCAL ROLE " + role);
                // a row of a transaction far ahead would be read by every poll and deleted by no prune (V16)
                SQLException refused = assertThrows(SQLException.class, () -> s.execute(
                        "INSERT INTO pgcache.cache_change_log (xid, payload) VALUES (CAST('4000000000' AS xid8), '{\"all\":true}')"));
                assertEquals("42501", refused.getSQLState(), refused.getMessage());
                c.rollback();

                s.execute("SET LOCAL ROLE " + role);
                // the trigger runs as this role and appends the payload; the xid is the transaction's
                s.execute("UPDATE pgcache.cache_entry SET value = '{\"v\": 2}' WHERE namespace = '" + ns + "'");
                s.execute("INSERT INTO pgcache.cache_change_log (payload) VALUES ('{\"namespaces\":[\"" + ns + "\"]}')");
                String xid;
                try (ResultSet rs = s.executeQuery("SELECT CAST(pg_current_xact_id() AS text)")) {
                    rs.next();
                    xid = rs.getString(1);
                }
                c.commit();
                assertEquals(2, logged(xid), "the trigger's row and the appended one, both under the role's transaction");
            }
        } finally {
            TestDatabase.execute("DROP OWNED BY " + role);
            TestDatabase.execute("DROP ROLE " + role);
        }
    }

    @Test
    void aPollOverItsBudgetDropsEveryCopyInsteadOfReadingThem() {
        String ns = Namespaces.fresh("log-budget");
        EntryId id = new EntryId(ns, "k");
        given().contentType(ContentType.JSON).body("{\"v\": 1}").put("/v1/cache/" + ns + "/k").then().statusCode(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            given().get("/v1/cache/" + ns + "/k").then().statusCode(200);
            return near.copyOf(id) != null;
        });
        // one payload larger than a poll's budget; were it read, it would drop only other/x
        TestDatabase.execute("INSERT INTO pgcache.cache_change_log (payload) SELECT '{\"keys\":[[\"other\",\"x\"]],\"pad\":\"' || repeat('x', ?) || '\"}'",
                ChangeListener.POLL_BUDGET_BYTES + 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> near.copyOf(id) == null);
        // and the replica goes on following the log, and answering from memory
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            given().get("/v1/cache/" + ns + "/k").then().statusCode(200);
            return near.copyOf(id) != null && near.serving();
        });
    }

    @Test
    void theChangeTriggersHaveTheirNewNamesAndFireAlways() {
        assertEquals("cache_entry_log_delete:A,cache_entry_log_truncate:A,cache_entry_log_update:A", TestDatabase.scalar("""
                SELECT string_agg(tgname || ':' || CAST(tgenabled AS text), ',' ORDER BY tgname) FROM pg_trigger
                WHERE tgrelid = 'pgcache.cache_entry'::regclass AND NOT tgisinternal"""));
    }
}
