package dev.pgcache.near;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.pgcache.entry.EntryId;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What the change trigger (migrations V6, V14 and V15) writes to the change log, read back by the
 * test's own session by the writing transaction's id: each statement's live old rows, in one
 * row when they fit (up to 100 keys under 8,000 bytes), cut into several when they do not, the
 * namespaces past 1,000 rows, nothing for rows past their stale window or for the hit flush,
 * nothing visible before the commit, nothing after a rollback.
 */
@QuarkusTest
class ChangeNotificationsTest {

    private String ns;

    @BeforeEach
    void freshNamespace() {
        ns = Namespaces.fresh("notify");
    }

    private void rows(int count, String keyPrefix, String lifetime) {
        TestDatabase.execute("INSERT INTO pgcache.cache_entry (namespace, cache_key, value, fetched_at, expires_at, version, size_bytes) "
                + "SELECT ?, ? || i, '{}', now(), " + lifetime + ", nextval('pgcache.cache_entry_version_seq'), 2 "
                + "FROM generate_series(1, ?) AS i", ns, keyPrefix, count);
    }

    /** Runs sql (statements separated by ;) in one transaction and answers what it logged about this namespace. */
    private List<ChangeMessage> announced(String sql) throws SQLException {
        try (Connection writer = TestDatabase.connect(); Statement w = writer.createStatement()) {
            writer.setAutoCommit(false);
            for (String statement : sql.split(";")) {
                w.execute(statement);
            }
            String xid = xid(w);
            assertTrue(logged(xid).isEmpty(), "nothing is visible in the log before the commit");
            writer.commit();
            List<ChangeMessage> mine = new ArrayList<>();
            for (String payload : logged(xid)) {
                assertTrue(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 8000, "a payload stays under 8,000 bytes");
                ChangeMessage m = ChangeMessage.parse(payload);
                if (m.namespaces().contains(ns) || m.keys().stream().anyMatch(id -> id.namespace().equals(ns))) {
                    mine.add(m);
                }
            }
            return mine;
        }
    }

    private static String xid(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT CAST(pg_current_xact_id() AS text)")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The payloads the transaction xid logged, as another session sees them now. */
    private static List<String> logged(String xid) throws SQLException {
        List<String> payloads = new ArrayList<>();
        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement("SELECT payload FROM pgcache.cache_change_log WHERE xid = CAST(? AS xid8)")) {
            ps.setString(1, xid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    payloads.add(rs.getString(1));
                }
            }
        }
        return payloads;
    }

    private Set<EntryId> keys(List<ChangeMessage> messages) {
        Set<EntryId> keys = new HashSet<>();
        messages.forEach(m -> keys.addAll(m.keys()));
        return keys;
    }

    private Set<EntryId> expected(String prefix, int count) {
        Set<EntryId> keys = new HashSet<>();
        for (int i = 1; i <= count; i++) {
            keys.add(new EntryId(ns, prefix + i));
        }
        return keys;
    }

    private String update(String where) {
        return "UPDATE pgcache.cache_entry SET value = '{\"v\": 2}' WHERE namespace = '" + ns + "'" + where;
    }

    @Test
    void oneRowIsOneMessageWithItsKey() throws SQLException {
        rows(3, "k", "now() + interval '1 hour'");
        List<ChangeMessage> got = announced(update(" AND cache_key = 'k2'"));
        assertEquals(1, got.size());
        assertEquals(Set.of(new EntryId(ns, "k2")), keys(got));
    }

    @Test
    void aHundredRowsAreOneMessage() throws SQLException {
        rows(100, "k", "NULL");
        List<ChangeMessage> got = announced(update(""));
        assertEquals(1, got.size());
        assertEquals(expected("k", 100), keys(got));
    }

    @Test
    void moreRowsThanOneMessageTakesAreCutIntoSeveral() throws SQLException {
        rows(101, "k", "NULL");
        List<ChangeMessage> got = announced("DELETE FROM pgcache.cache_entry WHERE namespace = '" + ns + "'");
        assertTrue(got.size() >= 1);
        assertEquals(expected("k", 101), keys(got));
    }

    @Test
    void longKeysAreCutSoThatEachPayloadFits() throws SQLException {
        String prefix = "x".repeat(400) + "-";
        rows(30, prefix, "NULL"); // 30 keys of ~400 bytes: about 12 kB of keys, over one payload
        List<ChangeMessage> got = announced(update(""));
        assertTrue(got.size() >= 2, "several payloads: " + got.size());
        assertEquals(expected(prefix, 30), keys(got));
    }

    @Test
    void pastAThousandRowsTheNamespaceIsNamed() throws SQLException {
        rows(1001, "k", "NULL");
        List<ChangeMessage> got = announced(update(""));
        assertEquals(1, got.size());
        assertEquals(List.of(ns), got.get(0).namespaces());
    }

    @Test
    void rowsPastTheirStaleWindowAndTheHitFlushAreNotAnnounced() throws SQLException {
        rows(5, "gone", "now() - interval '1 minute'");
        rows(5, "live", "now() + interval '1 hour'");
        assertEquals(List.of(), announced(update(" AND cache_key LIKE 'gone%'")));
        assertEquals(List.of(), announced("SELECT set_config('pgcache.change_origin', 'hit-count', true);"
                + update(" AND cache_key LIKE 'live%'").replace("value = '{\"v\": 2}'", "hit_count = hit_count + 1")));
        // a statement over both announces the live rows only
        assertEquals(expected("live", 5), keys(announced(update(""))));
    }

    @Test
    void aRolledBackChangeAnnouncesNothing() throws SQLException {
        rows(2, "k", "NULL");
        try (Connection writer = TestDatabase.connect(); Statement w = writer.createStatement()) {
            writer.setAutoCommit(false);
            w.execute(update(""));
            String xid = xid(w);
            writer.rollback();
            assertEquals(List.of(), logged(xid));
        }
    }

    @Test
    void emptyingTheLogByHandIsAnnouncedInIt() throws SQLException {
        try (Connection dba = TestDatabase.connect(); Statement s = dba.createStatement()) {
            dba.setAutoCommit(false);
            s.execute("TRUNCATE pgcache.cache_change_log");
            String xid = xid(s);
            dba.commit();
            assertEquals(List.of("{\"all\":true}"), logged(xid), "every replica drops everything it holds");
        }
    }
}
