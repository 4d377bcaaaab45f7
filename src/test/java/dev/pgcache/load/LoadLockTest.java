package dev.pgcache.load;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.pgcache.entry.LoadLocks;
import dev.pgcache.testing.TestDatabase;
import dev.pgcache.testing.UpstreamControl;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The cross-replica half of single-flight, with the test playing the other replica: it holds
 * the key's advisory lock on a session of its own, exactly as a loading replica would. The
 * service must then not call the upstream: it waits (without holding a connection) for the
 * other replica's value, or gives up with a 504. TwoReplicasIT shows the same with two real
 * service processes.
 */
@QuarkusTest
class LoadLockTest {

    private final UpstreamControl upstream = UpstreamControl.fromConfig();

    private static Connection holdLoadLock(String ns, String key) throws Exception {
        Connection c = TestDatabase.connect();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(? || '/' || ?))")) {
            ps.setInt(1, LoadLocks.LOAD_LOCK_CLASS);
            ps.setString(2, ns);
            ps.setString(3, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertTrue(rs.getBoolean(1), "the test takes the lock first");
            }
        }
        return c;
    }

    private static double lockWaits(String ns) {
        return Metrics.value("pgcache_load_lock_waits_total{namespace=\"" + ns + "\"}");
    }

    @Test
    void whileAnotherReplicaLoadsTheKeyTheUpstreamIsNotCalledAndItsValueIsAnswered() throws Exception {
        String key = Keys.fresh("other-replica");
        double waitsBefore = lockWaits("rt");
        try (Connection otherReplica = holdLoadLock("rt", key)) {
            CompletableFuture<Response> get = CompletableFuture.supplyAsync(
                    () -> given().urlEncodingEnabled(false).get("/v1/cache/rt/" + key));
            await().atMost(Duration.ofSeconds(5)).until(() -> lockWaits("rt") > waitsBefore);
            // the other replica stores what it loaded
            given().contentType("application/json").body("{\"from\":\"other replica\"}").put("/v1/cache/rt/" + key)
                    .then().statusCode(201);
            Response r = get.get(10, TimeUnit.SECONDS);
            r.then().statusCode(200).header("X-Cache", "MISS").body("from", is("other replica"));
        }
        assertEquals(0, upstream.calls(key));
    }

    @Test
    void aWaitForAnotherReplicaThatRunsOutIs504WithoutAnUpstreamCall() throws Exception {
        String key = Keys.fresh("other-replica-slow");
        try (Connection otherReplica = holdLoadLock("rt-wait", key)) {
            given().urlEncodingEnabled(false).get("/v1/cache/rt-wait/" + key).then().statusCode(504)
                    .body("type", is("urn:pgcache:problem:upstream-wait-timeout"));
        }
        assertEquals(0, upstream.calls(key));
        // the other replica went away without a value: the next GET loads
        given().urlEncodingEnabled(false).get("/v1/cache/rt-wait/" + key).then().statusCode(200).header("X-Cache", "MISS");
        assertEquals(1, upstream.calls(key));
    }

    @Test
    void theLockIsReleasedAfterEveryLoadSoNoPooledSessionKeepsIt() throws Exception {
        String key = Keys.fresh("released");
        given().urlEncodingEnabled(false).get("/v1/cache/rt/" + key).then().statusCode(200);
        String failing = Keys.fresh("released-fail");
        upstream.answer(failing, 500, "x", "text/plain");
        given().urlEncodingEnabled(false).get("/v1/cache/rt/" + failing).then().statusCode(502);
        // background refreshes of other tests may still run: wait a little for the count to drop
        await().atMost(Duration.ofSeconds(5)).until(() -> heldLoadLocks() == 0);
    }

    @Test
    void aLoadHoldsItsLockInATransactionThatPinsNoSnapshotAndEndsWithIt() throws Exception {
        // the JVM's first call to an upstream may take seconds on a busy machine (whatever its answer):
        // made first, so the timed one below is only its delay
        given().urlEncodingEnabled(false).get("/v1/cache/rt/" + Keys.fresh("warm-up"));
        String key = Keys.fresh("in-transaction");
        upstream.slow(key, 700);
        // on a thread of its own: the common pool has one thread on two cores, and the service's
        // upstream client needs it to complete its exchange
        ExecutorService caller = Executors.newSingleThreadExecutor();
        CompletableFuture<Response> get = CompletableFuture.supplyAsync(
                () -> given().urlEncodingEnabled(false).get("/v1/cache/rt/" + key), caller);
        // while the upstream takes its time: the lock belongs to a transaction (so it cannot outlive
        // it on a shared server connection) that has no snapshot and no transaction id (so it holds
        // back no vacuum)
        await().atMost(Duration.ofSeconds(5)).until(() -> "idle in transaction".equals(lockHolder("rt", key)));
        assertEquals("idle in transaction, xmin none, xid none", lockHolder("rt", key) + ", xmin " + holderHorizon("rt", key));
        get.get(10, TimeUnit.SECONDS).then().statusCode(200).header("X-Cache", "MISS");
        caller.shutdown();
        assertEquals(null, lockHolder("rt", key), "the commit ended the lock");
    }

    /** The state of the session holding the load lock of ns/key, or null when none holds it. */
    private static String lockHolder(String ns, String key) throws Exception {
        return (String) TestDatabase.scalar(HOLDER.formatted("a.state"), LoadLocks.LOAD_LOCK_CLASS, ns, key);
    }

    private static String holderHorizon(String ns, String key) throws Exception {
        return (String) TestDatabase.scalar(
                HOLDER.formatted("coalesce(a.backend_xmin::text, 'none') || ', xid ' || coalesce(a.backend_xid::text, 'none')"),
                LoadLocks.LOAD_LOCK_CLASS, ns, key);
    }

    private static final String HOLDER = """
            SELECT %s FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = CAST(? AS oid) AND l.objsubid = 2
              AND l.objid = CAST(CAST(hashtext(CAST(? AS text) || '/' || CAST(? AS text)) AS bigint) & 4294967295 AS oid)
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())""";

    private static long heldLoadLocks() throws Exception {
        try (Connection c = TestDatabase.connect(); PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND classid = CAST(? AS oid)
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())""")) {
            ps.setInt(1, LoadLocks.LOAD_LOCK_CLASS);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
