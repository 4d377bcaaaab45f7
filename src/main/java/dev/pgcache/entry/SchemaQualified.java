package dev.pgcache.entry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements of the {@code …Statements} classes ({@link EntryStatements#ALL}) with the configured schema in front of every object
 * they name, so no statement depends on a session's search_path: a pooler in transaction mode
 * (PgBouncer) refuses search_path as a startup parameter and would hand a SET search_path to
 * whichever client gets the server connection next.
 *
 * <p>The statements name the objects unqualified ({@code cache_entry},
 * {@code cache_entry_version_seq}, {@code cache_summary}; {@link ChainViews}: {@code rpc_chain},
 * {@code rpc_block_hash}), which keeps their text identical to the
 * pgbench scripts generated from it; each distinct text is qualified once, on first use, and the
 * result kept. The schema comes from config only ({@code pgcache.database.schema}), is checked
 * against a strict pattern and written as a quoted identifier, so nothing a caller sends can reach
 * the SQL text this way.
 */
final class SchemaQualified {

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /** An object name standing alone: not part of a longer name, not already qualified or quoted. */
    private static final Pattern OBJECT = Pattern.compile("(?<![\\w.\"])(cache_entry_version_seq|cache_entry|cache_summary|rpc_chain|rpc_block_hash)(?![\\w\"])");

    private final String prefix;
    private final Map<String, String> done = new ConcurrentHashMap<>();

    SchemaQualified(String schema) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalStateException("pgcache.database.schema must be a lower-case SQL name ([a-z_][a-z0-9_]{0,62}), not '"
                    + schema + "'");
        }
        this.prefix = Matcher.quoteReplacement("\"" + schema + "\".");
    }

    /** The statement with its objects qualified; the same text always gives the same answer. */
    String sql(String statement) {
        String q = done.get(statement);
        if (q == null) {
            q = OBJECT.matcher(statement).replaceAll(prefix + "$1");
            done.putIfAbsent(statement, q);
        }
        return q;
    }
}
