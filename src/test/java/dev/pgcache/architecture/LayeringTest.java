package dev.pgcache.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The layer rule of docs/architecture.md, checked on the source: each package of
 * src/main/java/dev/pgcache imports only the packages listed for it here, so no arrow runs back
 * up and no cycle can form. A new package must be added here, with its place in the layers.
 */
class LayeringTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/pgcache");

    /** Which pgcache packages each package may import (besides itself). */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            // the process: its main, which names the cause of a failed start
            Map.entry("app", Set.of("api", "load", "rpc", "near", "hits", "purge", "metrics", "entry", "protocol", "memory", "security", "config")),
            // HTTP layer
            Map.entry("api", Set.of("load", "rpc", "near", "hits", "purge", "metrics", "entry", "protocol", "memory", "security", "tracing", "config")),
            // features: the proxy builds on read-through's upstream calls and on hit counting; all may count metrics
            Map.entry("rpc", Set.of("load", "near", "hits", "metrics", "entry", "protocol", "memory", "security", "tracing", "config")),
            Map.entry("load", Set.of("near", "metrics", "entry", "protocol", "memory", "security", "tracing", "config")),
            // the near cache: copies of entries in memory, kept coherent by PostgreSQL's notifications
            Map.entry("near", Set.of("metrics", "entry", "protocol", "memory", "tracing", "config")),
            Map.entry("purge", Set.of("metrics", "entry", "protocol", "memory", "tracing", "config")),
            Map.entry("hits", Set.of("metrics", "entry", "protocol", "memory", "tracing", "config")),
            Map.entry("metrics", Set.of("entry", "protocol", "memory", "tracing", "config")),
            // store
            Map.entry("entry", Set.of("protocol", "memory", "tracing", "config")),
            // foundation
            Map.entry("protocol", Set.of("config")),
            Map.entry("memory", Set.of("protocol", "config")),
            Map.entry("security", Set.of("protocol", "config")),
            // traces: pgcache's own spans and the redaction of Quarkus' HTTP spans (OpenTelemetry only)
            Map.entry("tracing", Set.of()),
            Map.entry("config", Set.of()));

    /**
     * An import, or a name written out in full in the code. Comments are left out first: one
     * that says where a setting is read ("checked by dev.pgcache.load.Upstreams") is no dependency.
     */
    private static final Pattern REFERENCE = Pattern.compile("(?<!package )\\bdev\\.pgcache\\.([a-z]+)\\.");

    @Test
    void everyPackageHasItsPlaceInTheLayers() throws IOException {
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(SOURCES)) {
            dirs.filter(Files::isDirectory).forEach(d -> packages.add(d.getFileName().toString()));
        }
        assertEquals(new TreeSet<>(ALLOWED.keySet()), packages, "packages under " + SOURCES + " and in this test's table");
    }

    @Test
    void noPackageImportsALayerAboveItsOwn() throws IOException {
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String own = SOURCES.relativize(file).getName(0).toString();
                Matcher m = REFERENCE.matcher(withoutComments(Files.readString(file)));
                while (m.find()) {
                    String imported = m.group(1);
                    if (!imported.equals(own) && !ALLOWED.getOrDefault(own, Set.of()).contains(imported)) {
                        wrong.add(SOURCES.relativize(file) + " refers to dev.pgcache." + imported);
                    }
                }
            }
        }
        assertTrue(wrong.isEmpty(), "imports against the layers (docs/architecture.md):\n" + String.join("\n", wrong));
    }

    /** The source without block comments and without line comments (a "//" after a space or at a line's start, not in a URL). */
    static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)(^|\\s)//.*$", "$1");
    }
}
