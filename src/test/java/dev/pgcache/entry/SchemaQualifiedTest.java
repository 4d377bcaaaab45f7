package dev.pgcache.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The schema in front of every object the statements name, and nothing else touched (no database needed). */
class SchemaQualifiedTest {

    private final SchemaQualified q = new SchemaQualified("cache_x");

    @Test
    void objectsGetTheQuotedSchemaAndNothingElseChanges() {
        assertEquals("SELECT pg_total_relation_size(CAST('\"cache_x\".cache_entry' AS regclass))", q.sql(EntryStatements.TABLE_SIZE));
        assertEquals("nextval('\"cache_x\".cache_entry_version_seq'), e.cache_key, \"cache_x\".cache_summary, "
                + "cache_entry_purge_idx, set_config('pgcache.change_origin', 'x', true), other.cache_entry",
                q.sql("nextval('cache_entry_version_seq'), e.cache_key, cache_summary, "
                        + "cache_entry_purge_idx, set_config('pgcache.change_origin', 'x', true), other.cache_entry"));
    }

    @Test
    void noStatementNamesAnObjectWithoutTheSchema() throws Exception {
        Pattern bare = Pattern.compile("(?<![\\w.\"])(cache_entry|cache_entry_version_seq|cache_summary)(?![\\w\"])");
        int statements = 0;
        for (Field f : EntryStatements.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                f.setAccessible(true);
                String sql = q.sql((String) f.get(null));
                assertFalse(bare.matcher(sql).find(), f.getName() + " still names an object bare: " + sql);
                statements++;
            }
        }
        assertTrue(statements > 20, "read the statements: " + statements);
    }

    @Test
    void aSchemaThatIsNotAPlainLowerCaseNameIsRefused() {
        for (String bad : new String[] {"Cache", "x\"; DROP TABLE y; --", "1abc", "", "a-b"}) {
            assertThrows(IllegalStateException.class, () -> new SchemaQualified(bad), bad);
        }
    }
}
