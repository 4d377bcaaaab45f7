package dev.pgcache.entry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.pgcache.metrics.TableStats;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.Rows;
import dev.pgcache.testing.TestDatabase;
import io.quarkus.test.junit.QuarkusTest;

/** The cache_summary view a DBA reads, and the gauges fed from it. */
@QuarkusTest
class CacheSummaryTest {

    @Inject
    MaintenanceStore store;

    @Inject
    TableStats tableStats;

    @Test
    void oneRowPerNamespaceWithCountsByStateBytesAgesAndHits() throws Exception {
        String ns = Namespaces.fresh("summary");
        Rows.insertGone(ns, 3);
        Rows.insertStale(ns, 2);
        Rows.insertFresh(ns, 4);
        Rows.insertAged(ns, 5, 100); // fresh, never expire, fetched between 64 s and 60 s before the insert
        TestDatabase.execute("UPDATE pgcache.cache_entry SET hit_count = 7 WHERE namespace = ? AND cache_key IN ('fresh-1', 'aged-0002')", ns);

        try (Connection c = TestDatabase.connect();
                PreparedStatement ps = c.prepareStatement("SELECT *, now() AS db_now FROM pgcache.cache_summary WHERE namespace = ?")) {
            ps.setString(1, ns);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(14, rs.getLong("entries"));
                assertEquals(9, rs.getLong("fresh"));
                assertEquals(2, rs.getLong("stale"));
                assertEquals(3, rs.getLong("gone"));
                assertEquals(9 * 4 + 5 * 100, rs.getLong("total_bytes"));
                assertEquals(14, rs.getLong("hits"));
                OffsetDateTime now = rs.getObject("db_now", OffsetDateTime.class);
                // the Rows helpers write gone, stale and fresh rows fetched 3 minutes before their insert, aged ones from 64 s to 60 s
                Duration oldest = Duration.between(rs.getObject("oldest_fetched_at", OffsetDateTime.class), now);
                Duration newest = Duration.between(rs.getObject("newest_fetched_at", OffsetDateTime.class), now);
                assertTrue(oldest.compareTo(Duration.ofMinutes(3)) >= 0 && oldest.compareTo(Duration.ofSeconds(190)) < 0, "oldest " + oldest);
                assertTrue(newest.compareTo(Duration.ofSeconds(60)) >= 0 && newest.compareTo(Duration.ofSeconds(70)) < 0, "newest " + newest);
                assertNull(rs.getObject("last_hit_at"));
                assertTrue(!rs.next(), "one row per namespace");
            }
        }

        NamespaceSummary s = store.summary().stream().filter(r -> r.namespace().equals(ns)).findFirst().orElseThrow();
        assertEquals(new NamespaceSummary(ns, 14, 9, 2, 3, 536, s.oldestFetchedAt(), s.newestFetchedAt(), 14, null), s);
    }

    @Test
    void theViewAndEveryColumnAreCommented() {
        Object viewComment = TestDatabase.scalar("SELECT obj_description('pgcache.cache_summary'::regclass, 'pg_class')");
        assertNotNull(viewComment);
        // the documents it names exist (operations-scale.md was merged into operations.md)
        java.util.regex.Matcher doc = java.util.regex.Pattern.compile("docs/[\\w.-]+\\.md").matcher(viewComment.toString());
        assertTrue(doc.find(), "the view's comment names where its example queries are: " + viewComment);
        do {
            assertTrue(java.nio.file.Files.exists(java.nio.file.Path.of(doc.group())), doc.group() + " exists");
        } while (doc.find());
        Object uncommented = TestDatabase.scalar("""
                SELECT string_agg(attname, ', ') FROM pg_attribute
                WHERE attrelid = 'pgcache.cache_summary'::regclass AND attnum > 0 AND NOT attisdropped
                  AND col_description(attrelid, attnum) IS NULL""");
        assertNull(uncommented, "columns without a comment: " + uncommented);
        for (String index : new String[] { "cache_entry_queue_idx", "cache_entry_table_queue_idx" }) {
            assertNotNull(TestDatabase.scalar("SELECT obj_description(to_regclass('pgcache.' || ?), 'pg_class')", index), index + " has a comment");
        }
        assertNull(TestDatabase.scalar("SELECT to_regclass('pgcache.cache_entry_eviction_idx')::text"), "V10 dropped the index the queue indexes replace");
    }

    @Test
    void tableGaugesShowTheViewAfterARefreshAndNotBefore() {
        String ns = Namespaces.fresh("gauges");
        Rows.insertGone(ns, 3);
        Rows.insertFresh(ns, 4);
        given().get("/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.not(containsString("pgcache_table_rows{namespace=\"" + ns + "\"}")));
        tableStats.refresh();
        String tag = "{namespace=\"" + ns + "\"}";
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("pgcache_table_rows" + tag + " 7.0"))
                .body(containsString("pgcache_table_gone_rows" + tag + " 3.0"))
                .body(containsString("pgcache_table_bytes" + tag + " 28.0"))
                .body(containsString("pgcache_table_disk_bytes "));

        Rows.clear(ns);
        tableStats.refresh();
        given().get("/q/metrics").then().statusCode(200).body(containsString("pgcache_table_rows" + tag + " 0.0"));
    }
}
