package dev.pgcache.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The schema in front of every object the statements name, and nothing else touched (no database needed). */
class SchemaQualifiedTest {

    private final SchemaQualified q = new SchemaQualified("cache_x");

    @Test
    void objectsGetTheQuotedSchemaAndNothingElseChanges() {
        assertEquals("SELECT pg_total_relation_size(CAST('\"cache_x\".cache_entry' AS regclass))", q.sql(MaintenanceStatements.TABLE_SIZE));
        assertEquals("nextval('\"cache_x\".cache_entry_version_seq'), e.cache_key, \"cache_x\".cache_summary, "
                + "cache_entry_purge_idx, set_config('pgcache.change_origin', 'x', true), other.cache_entry",
                q.sql("nextval('cache_entry_version_seq'), e.cache_key, cache_summary, "
                        + "cache_entry_purge_idx, set_config('pgcache.change_origin', 'x', true), other.cache_entry"));
    }

    @Test
    void noStatementNamesAnObjectWithoutTheSchema() throws Exception {
        Pattern bare = Pattern.compile("(?<![\\w.\"])(cache_entry|cache_entry_version_seq|cache_summary)(?![\\w\"])");
        int statements = 0;
        for (Field f : statementFields()) {
            String sql = q.sql((String) f.get(null));
            assertFalse(bare.matcher(sql).find(), f.getName() + " still names an object bare: " + sql);
            statements++;
        }
        assertTrue(statements > 50, "read the statements: " + statements);
    }

    /** A statement's name is its identity in traces (StatementNames) and in bench/pgbench: one name, one file. */
    @Test
    void everyStatementNameIsUniqueAcrossTheStatementFiles() {
        Map<String, String> owners = new HashMap<>();
        for (Field f : statementFields()) {
            String other = owners.put(f.getName(), f.getDeclaringClass().getSimpleName());
            assertNull(other, f.getName() + " is in " + other + " and " + f.getDeclaringClass().getSimpleName());
        }
    }

    /** Every statement file of the package is in EntryStatements.ALL, so nothing reads around one (the build runs in the project's root). */
    @Test
    void everyStatementFileIsListed() throws Exception {
        Set<String> files;
        try (Stream<Path> list = Files.list(Path.of("src/main/java/dev/pgcache/entry"))) {
            files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("Statements.java"))
                    .map(n -> n.substring(0, n.length() - ".java".length())).collect(Collectors.toSet());
        }
        Set<String> listed = EntryStatements.ALL.stream().map(Class::getSimpleName).collect(Collectors.toSet());
        assertEquals(files, listed);
        assertTrue(listed.size() >= 6, "read the files: " + listed);
    }

    private static List<Field> statementFields() {
        List<Field> fields = new ArrayList<>();
        for (Class<?> c : EntryStatements.ALL) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                    f.setAccessible(true);
                    fields.add(f);
                }
            }
        }
        return fields;
    }

    @Test
    void aSchemaThatIsNotAPlainLowerCaseNameIsRefused() {
        for (String bad : new String[] {"Cache", "x\"; DROP TABLE y; --", "1abc", "", "a-b"}) {
            assertThrows(IllegalStateException.class, () -> new SchemaQualified(bad), bad);
        }
    }
}
