package dev.pgcache.entry;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.PgBouncer;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The PgBouncer job's proof that it did not bypass PgBouncer (.ci/run, {@code PGCACHE_TEST_PGBOUNCER=1}):
 * the service's pool goes to PgBouncer's port, PgBouncer pools the test database in transaction
 * mode, and the service's statements show up in PgBouncer's own counters. Runs only in that job
 * (pom.xml leaves it out of the default run, .ci/run names it); run without PgBouncer it fails,
 * as it should: there is no PgBouncer to find.
 */
@QuarkusTest
class PgBouncerTest {

    private static String config(String name) {
        return ConfigProvider.getConfig().getValue(name, String.class);
    }

    private static Map<String, String> row(String what) {
        List<Map<String, String>> rows = PgBouncer.show(config("test.pgcache.pgbouncer-admin-url"), what);
        return rows.stream().filter(r -> TestDatabase.name().equals(r.get("database"))).findFirst()
                .orElseThrow(() -> new AssertionError("PgBouncer has no " + what + " row for " + TestDatabase.name() + ": " + rows));
    }

    @Test
    void theServicesStatementsGoThroughPgBouncerInTransactionMode() {
        assertTrue(config("quarkus.datasource.jdbc.url").contains(":" + config("test.pgcache.pgbouncer-port") + "/"),
                "the pool's URL names PgBouncer's port: " + config("quarkus.datasource.jdbc.url"));
        assertEquals("transaction", row("POOLS").get("pool_mode"));
        long before = Long.parseLong(row("STATS").get("total_xact_count"));

        for (int i = 0; i < 20; i++) {
            given().contentType("application/json").body("{\"n\":" + i + "}").put("/v1/cache/bouncer/k" + i).then().statusCode(201);
            given().header("Cache-Control", "no-cache").get("/v1/cache/bouncer/k" + i).then().statusCode(200);
        }
        given().post("/v1/admin/purge").then().statusCode(200);

        long after = Long.parseLong(row("STATS").get("total_xact_count"));
        assertTrue(after - before >= 40, "PgBouncer counted " + (after - before) + " transactions of the service, not at least 40");
        // the service's connections are PgBouncer's clients; PgBouncer's own server connections are
        // what PostgreSQL sees, never more than its pool of 10
        Map<String, String> pools = row("POOLS");
        long clients = Long.parseLong(pools.get("cl_active")) + Long.parseLong(pools.get("cl_waiting"));
        long servers = Long.parseLong(pools.get("sv_active")) + Long.parseLong(pools.get("sv_idle")) + Long.parseLong(pools.get("sv_used"));
        assertTrue(clients >= 1, "the service is connected to PgBouncer: " + pools);
        assertTrue(servers >= 1 && servers <= 10, "PgBouncer's server connections: " + pools);
    }
}
