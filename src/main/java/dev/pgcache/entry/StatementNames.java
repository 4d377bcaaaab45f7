package dev.pgcache.entry;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The name a statement has in its {@code …Statements} class ({@link EntryStatements#ALL}:
 * {@code GET}, {@code UPSERT}, …), for the span around it: the statement's identity without its
 * text or values. A statement completed from a template ({@code UPSERT.formatted(…)}) is named
 * after the template whose fixed parts it starts and ends with. Only asked while tracing is on; answers are kept, and there are as few texts as
 * there are statements and fragments.
 */
final class StatementNames {

    private static final Map<String, String> BY_TEXT = declared();
    private static final Map<String, String> KNOWN = new ConcurrentHashMap<>();

    private StatementNames() {
    }

    static String of(String statement) {
        return KNOWN.computeIfAbsent(statement, StatementNames::find);
    }

    private static String find(String statement) {
        String exact = BY_TEXT.get(statement);
        if (exact != null) {
            return exact;
        }
        String best = "statement";
        int bestFixed = -1;
        for (Map.Entry<String, String> e : BY_TEXT.entrySet()) {
            String template = e.getKey();
            int first = template.indexOf('%');
            int last = template.lastIndexOf('%');
            if (first < 0 || last + 2 > template.length()) {
                continue;
            }
            String head = template.substring(0, first);
            String tail = template.substring(last + 2);
            if (statement.startsWith(head) && statement.endsWith(tail) && head.length() + tail.length() > bestFixed) {
                best = e.getValue();
                bestFixed = head.length() + tail.length();
            }
        }
        return best;
    }

    private static Map<String, String> declared() {
        Map<String, String> names = new LinkedHashMap<>();
        for (Class<?> statements : EntryStatements.ALL) {
            for (Field f : statements.getDeclaredFields()) {
                if (f.getType() == String.class && Modifier.isStatic(f.getModifiers())) {
                    try {
                        f.setAccessible(true);
                        names.putIfAbsent((String) f.get(null), f.getName());
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return Map.copyOf(names);
    }
}
