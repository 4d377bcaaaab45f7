package dev.pgcache.near;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import dev.pgcache.entry.EntryId;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/**
 * What the change trigger (migrations V6 and V14) announces on pgcache_changes, read by a session
 * of the test's own that LISTENs: each statement's live old rows, in one payload when they fit
 * (up to 100 keys under 8,000 bytes), cut into several when they do not, the namespaces past
 * 1,000 rows, nothing for rows past their stale window or for the hit flush, nothing before the
 * commit. Only notifications about this test's namespace are looked at.
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

    /** Runs sql (statements separated by ;) in one transaction of a listening session and answers this namespace's messages. */
    private List<ChangeMessage> announced(String sql) throws SQLException {
        try (Connection listener = TestDatabase.connect(); Statement l = listener.createStatement();
                Connection writer = TestDatabase.connect(); Statement w = writer.createStatement()) {
            l.execute("LISTEN " + ChangeMessage.CHANNEL);
            writer.setAutoCommit(false);
            for (String statement : sql.split(";")) {
                w.execute(statement);
            }
            assertTrue(notifications(listener, 200).isEmpty(), "nothing is announced before the commit");
            writer.commit();
            List<ChangeMessage> mine = new ArrayList<>();
            for (PGNotification n : notifications(listener, 1_000)) {
                assertTrue(n.getParameter().getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 8000, "a payload fits the limit");
                ChangeMessage m = ChangeMessage.parse(n.getParameter());
                if (m.namespaces().contains(ns) || m.keys().stream().anyMatch(id -> id.namespace().equals(ns))) {
                    mine.add(m);
                }
            }
            return mine;
        }
    }

    private List<PGNotification> notifications(Connection listener, int millis) throws SQLException {
        List<PGNotification> all = new ArrayList<>();
        PGNotification[] got;
        while ((got = listener.unwrap(PGConnection.class).getNotifications(millis)) != null && got.length > 0) {
            for (PGNotification n : got) {
                if (n.getName().equals(ChangeMessage.CHANNEL)) {
                    all.add(n);
                }
            }
            millis = 100;
        }
        return all;
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
        try (Connection listener = TestDatabase.connect(); Statement l = listener.createStatement();
                Connection writer = TestDatabase.connect(); Statement w = writer.createStatement()) {
            l.execute("LISTEN " + ChangeMessage.CHANNEL);
            writer.setAutoCommit(false);
            w.execute(update(""));
            writer.rollback();
            assertTrue(notifications(listener, 500).stream().noneMatch(n -> n.getParameter().contains(ns)));
        }
    }
}
