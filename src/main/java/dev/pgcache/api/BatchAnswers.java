package dev.pgcache.api;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.pgcache.entry.Entry;
import dev.pgcache.entry.Freshness;

/**
 * Writes a batch-get answer by streaming, with each stored value copied in as the raw text the
 * database returned: the read path parses no JSON, however many entries it answers.
 */
final class BatchAnswers {

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * An upper bound of one item's bytes besides its key and value: the field names, the state,
     * three 19-digit numbers, the longest Instant and the separators.
     */
    private static final int ITEM_BYTES = 200;

    private BatchAnswers() {
    }

    /**
     * An upper bound of the answer's bytes besides the values: what the values' size_bytes is
     * added to when the answer's size is checked before anything is read. A key's byte may be
     * written as a six-byte escape (a control character as \u0001).
     */
    static long envelopeBytes(List<String> keys) {
        long bytes = 64;
        for (String key : keys) {
            bytes += ITEM_BYTES + 6L * key.getBytes(StandardCharsets.UTF_8).length;
        }
        return bytes;
    }

    static String entries(List<String> keys, List<Optional<Entry>> entries) {
        StringWriter out = new StringWriter(64 + entries.stream().mapToInt(e -> e.map(x -> x.json().length() + 160).orElse(40)).sum());
        int hits = 0;
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("entries");
            for (int i = 0; i < keys.size(); i++) {
                Optional<Entry> found = entries.get(i);
                g.writeStartObject();
                g.writeStringField("key", keys.get(i));
                if (found.isEmpty()) {
                    g.writeStringField("state", "miss");
                } else {
                    Entry e = found.get();
                    hits++;
                    g.writeStringField("state", e.freshness() == Freshness.FRESH ? "fresh" : "stale");
                    g.writeNumberField("version", e.version());
                    if (e.revision() != null) {
                        g.writeNumberField("revision", e.revision());
                    }
                    g.writeNumberField("age", e.ageSeconds());
                    g.writeStringField("expiresAt", e.expiresAt() == null ? null : e.expiresAt().toString());
                    g.writeFieldName("value");
                    g.writeRawValue(e.json());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("hits", hits);
            g.writeNumberField("misses", keys.size() - hits);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to a string cannot fail with I/O", e);
        }
        return out.toString();
    }
}
