package dev.pgcache.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.pgcache.testing.PackagedReplicas;
import dev.pgcache.testing.PrivatePostgres;
import dev.pgcache.testing.Replica;

/**
 * What each durability level loses when PostgreSQL crashes under writers: the packaged service
 * against a private PostgreSQL ({@link PrivatePostgres}; the shared server is never stopped),
 * writers PUTting distinct keys as fast as they are answered, {@code pg_ctl stop -m immediate}
 * in the middle, a restart (crash recovery), then every key a writer got a 2xx for is looked up.
 *
 * <ul>
 * <li>strict: no acknowledged write is lost (asserted), also where the server's default is
 * synchronous_commit=off;</li>
 * <li>relaxed (synchronous_commit off): some of the last acknowledged writes may be lost; how many
 * is reported (target/crash-report.txt), not asserted, since it depends on the WAL writer's timing;</li>
 * <li>unlogged table: emptied by crash recovery (asserted);</li>
 * <li>in every case no row is half-written: every row holds the whole value its writer sent for
 * its key, and the table's B-tree indexes pass amcheck's bt_index_check (asserted).</li>
 * </ul>
 */
class DatabaseCrashIT {

    private static final String STRICT = "crash-strict";
    private static final String RELAXED = "crash-relaxed";
    private static final Path REPORT = Path.of("target", "crash-report.txt");

    /** Writers that PUT distinct keys to namespaces until stopped and remember which ones were answered 2xx. */
    private static final class Writers {
        final Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Thread> threads = new ArrayList<>();

        Writers(Replica replica, List<String> namespaces, int perNamespace) {
            for (String ns : namespaces) {
                Set<String> acked = ConcurrentHashMap.newKeySet();
                acknowledged.put(ns, acked);
                for (int t = 0; t < perNamespace; t++) {
                    int thread = t;
                    threads.add(Thread.ofPlatform().name("writer-" + ns + "-" + t).start(() -> {
                        for (int seq = 0; !stop.get(); seq++) {
                            String key = "t" + thread + "-" + seq;
                            try {
                                int status = replica.send(replica.request("/v1/cache/" + ns + "/" + key)
                                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
                                        .PUT(HttpRequest.BodyPublishers.ofString(value(key)))).statusCode();
                                if (status / 100 == 2) {
                                    acked.add(key);
                                }
                            } catch (IOException e) {
                                // no answer: not acknowledged
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }));
                }
            }
        }

        void awaitAcknowledged(int each) {
            Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> acknowledged.values().stream().allMatch(s -> s.size() >= each));
        }

        void stopAll() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    /** The value a writer sends for a key: the key itself and a padding whose length the key's number decides. */
    static String value(String key) {
        int seq = Integer.parseInt(key.substring(key.indexOf('-') + 1));
        return "{\"k\":\"" + key + "\",\"pad\":\"" + "x".repeat(seq % 97 * 30) + "\"}";
    }

    /**
     * The server's WAL writer is slowed to its slowest (wal_writer_delay=10s), so that the WAL of
     * relaxed commits on a page not yet full waits in PostgreSQL's memory (the WAL writer is woken
     * early only when a page fills), and an immediate stop loses it: a strict write that wrongly
     * committed the relaxed way would be lost too, and the assertion would catch it. Strict and
     * relaxed writers run one after the other, because a strict commit also flushes whatever
     * relaxed WAL came before it. The operating system does not crash here, so WAL PostgreSQL has
     * written survives even unflushed: a power loss can cost relaxed writes more (docs/operations.md).
     */
    @Test
    void strictLosesNoAcknowledgedWriteAndRelaxedLosesOnlyItsLastOnes() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start(Map.of("wal_writer_delay", "10000", "fsync", "on"));
                PackagedReplicas replicas = new PackagedReplicas(pg.serviceConfig())) {
            Replica replica = replicas.start("crash", Map.of("pgcache.namespaces." + RELAXED + ".durability", "relaxed",
                    "pgcache.near-cache.enabled", "false"));
            Map<String, Integer> lost = new java.util.TreeMap<>();
            Map<String, Integer> acknowledged = new java.util.TreeMap<>();
            for (String ns : List.of(STRICT, RELAXED)) {
                Writers writers = crashWhileWriting(pg, replica, ns);
                try (Connection c = pg.superuser("postgres")) {
                    assertWholeRows(c);
                    acknowledged.put(ns, writers.acknowledged.get(ns).size());
                    lost.put(ns, lost(c, ns, writers.acknowledged.get(ns)).size());
                }
            }
            report("strict: %d writes acknowledged, %d lost; relaxed: %d acknowledged, %d lost (wal_writer_delay=10s)".formatted(
                    acknowledged.get(STRICT), lost.get(STRICT), acknowledged.get(RELAXED), lost.get(RELAXED)));
            assertEquals(0, lost.get(STRICT), "a strict 2xx survives a crash of the database");
        }
    }

    /**
     * The same crash where the server's own default is synchronous_commit=off (as a DBA might set it
     * for speed): a strict write raises it to on for its transaction (WriteStatements.COMMIT_DURABLY),
     * so still no acknowledged write is lost; with the server's setting left alone, it would be.
     */
    @Test
    void strictLosesNoAcknowledgedWriteWhereTheServersDefaultIsOff() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start(Map.of("wal_writer_delay", "10000", "fsync", "on", "synchronous_commit", "off"));
                PackagedReplicas replicas = new PackagedReplicas(pg.serviceConfig())) {
            Replica replica = replicas.start("crash-default-off", Map.of("pgcache.near-cache.enabled", "false"));
            Writers writers = crashWhileWriting(pg, replica, STRICT);
            try (Connection c = pg.superuser("postgres")) {
                assertEquals("off", scalar(c, "SELECT current_setting('synchronous_commit')"), "the server's default");
                assertWholeRows(c);
                int lost = lost(c, STRICT, writers.acknowledged.get(STRICT)).size();
                report("strict with the server's synchronous_commit off: %d writes acknowledged, %d lost".formatted(
                        writers.acknowledged.get(STRICT).size(), lost));
                assertEquals(0, lost, "a strict 2xx survives a crash of the database whatever the server's default");
            }
        }
    }

    /**
     * Four writers PUT to the namespace until 300 writes were acknowledged; then the server crashes
     * while they write, they go on for half a second against it (their requests fail: nothing they
     * get a 2xx for may be missing later), stop, and the server starts again (crash recovery).
     */
    private static Writers crashWhileWriting(PrivatePostgres pg, Replica replica, String namespace) throws Exception {
        Writers writers = new Writers(replica, List.of(namespace), 4);
        writers.awaitAcknowledged(300);
        pg.crash();
        Thread.sleep(500);
        writers.stopAll();
        pg.startServer();
        return writers;
    }

    @Test
    void anUnloggedTableIsEmptiedByACrash() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start(Map.of("fsync", "on")); PackagedReplicas replicas = new PackagedReplicas(pg.serviceConfig())) {
            Replica replica = replicas.start("crash-unlogged", Map.of("pgcache.storage.unlogged", "true", "pgcache.near-cache.enabled", "false"));
            Writers writers = new Writers(replica, List.of(STRICT), 4);
            writers.awaitAcknowledged(300);
            try (Connection c = pg.superuser("postgres")) {
                assertEquals("u", scalar(c, "SELECT relpersistence::text FROM pg_class WHERE oid = 'pgcache.cache_entry'::regclass"));
                assertTrue(((Number) scalar(c, "SELECT count(*) FROM pgcache.cache_entry")).longValue() >= 300);
            }
            pg.crash();
            writers.stopAll();
            pg.startServer();
            try (Connection c = pg.superuser("postgres")) {
                long rows = ((Number) scalar(c, "SELECT count(*) FROM pgcache.cache_entry")).longValue();
                report("unlogged: %d writes acknowledged, %d rows after the crash".formatted(writers.acknowledged.get(STRICT).size(), rows));
                assertEquals(0, rows, "crash recovery empties an unlogged table");
                assertWholeRows(c);
            }
        }
    }

    /**
     * Every row is the whole value its writer sent for its key, with the size_bytes of that value
     * (the length of its text as PostgreSQL prints it, StoredJson), and the indexes agree with the heap.
     */
    private static void assertWholeRows(Connection c) throws SQLException {
        assertEquals(0L, ((Number) scalar(c, """
                SELECT count(*) FROM pgcache.cache_entry
                WHERE value->>'k' IS DISTINCT FROM cache_key
                   OR length(value->>'pad') IS DISTINCT FROM (split_part(cache_key, '-', 2)::int % 97) * 30
                   OR size_bytes <> octet_length(value::text)
                """)).longValue(),
                "no row holds part of a value");
        try (Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS amcheck");
            try (ResultSet rs = s.executeQuery("SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
                    + "JOIN pg_am am ON am.oid = ic.relam WHERE i.indrelid = 'pgcache.cache_entry'::regclass AND am.amname = 'btree'")) {
                List<String> indexes = new ArrayList<>();
                while (rs.next()) {
                    indexes.add(rs.getString(1));
                }
                assertTrue(indexes.size() >= 4, "the primary key, purge and both queue indexes: " + indexes);
                for (String index : indexes) {
                    try (PreparedStatement check = c.prepareStatement("SELECT bt_index_check(CAST(? AS regclass), true)")) {
                        check.setString(1, index);
                        check.execute(); // raises an error on any inconsistency, or a heap row missing from the index
                    }
                }
            }
        }
    }

    private static Set<String> lost(Connection c, String namespace, Set<String> acknowledged) throws SQLException {
        Set<String> present = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT cache_key FROM pgcache.cache_entry WHERE namespace = ?")) {
            ps.setString(1, namespace);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    present.add(rs.getString(1));
                }
            }
        }
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(present);
        return lost;
    }

    private static Object scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getObject(1);
        }
    }

    private static void report(String line) throws IOException {
        System.err.println("DatabaseCrashIT: " + line);
        Files.writeString(REPORT, line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
