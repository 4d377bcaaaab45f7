package dev.pgcache.api;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import dev.pgcache.protocol.ProblemException;
import dev.pgcache.protocol.JsonBodies;
import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.protocol.StoredJson;
import dev.pgcache.protocol.Utf8;

/**
 * Reads batch request bodies with a streaming parser. Each {@code value} of a batch-put is cut
 * out of the request text as it was sent (never parsed into numbers and written back), so
 * PostgreSQL receives every digit; strings in it are checked for {@code \u0000} like single PUTs,
 * and each value is measured as PostgreSQL will store it ({@link StoredJson}), as a single PUT's is.
 */
@ApplicationScoped
class BatchBodies {

    /**
     * One entry of a batch-put as sent; lifetimes are still text, as in query parameters.
     * {@code sizeBytes} is the value's stored size (an upper bound of what a read returns).
     */
    record PutItem(String key, String json, int sizeBytes, String ttl, String stale, List<String> tags, Long revision) {
    }

    /** A value cut out of the body, with its stored size. */
    private record RawValue(String json, StoredJson.Size size) {
    }

    /** The batch envelope adds this many levels of nesting around each value. */
    private static final int ENVELOPE_DEPTH = 3;

    private final JsonFactory factory;
    private final int maxBatchSize;
    private final long maxValueBytes;

    BatchBodies(PgcacheConfig config) {
        this.maxBatchSize = config.limits().maxBatchSize();
        this.maxValueBytes = config.limits().maxValueSize().asLongValue();
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(config.limits().maxJsonDepth() + ENVELOPE_DEPTH)
                        .maxNumberLength(StoredJson.MAX_NUMBER_LENGTH)
                        .build())
                .build();
    }

    int maxBatchSize() {
        return maxBatchSize;
    }

    /** {@code {"keys": ["a", "b"]}} */
    List<String> keys(byte[] body) {
        return envelope(body, "keys", "keys must be an array of strings", (p, token, text, index) -> {
            if (token != JsonToken.VALUE_STRING) {
                throw invalid("keys[" + index + "] is not a string");
            }
            return p.getText();
        });
    }

    /** {@code {"entries": [{"key", "value", "ttl", "stale", "tags", "revision"}, ...]}} */
    List<PutItem> entries(byte[] body) {
        return envelope(body, "entries", "entries must be an array of objects", (p, token, text, index) -> {
            if (token != JsonToken.START_OBJECT) {
                throw invalid("entries[" + index + "] is not an object");
            }
            return entry(p, text, "entries[" + index + "]");
        });
    }

    /** Reads one item of a batch array; the parser stands on the item's first token. */
    @FunctionalInterface
    private interface ItemReader<T> {
        T read(JsonParser p, JsonToken first, String text, int index) throws IOException;
    }

    /**
     * The envelope both batch bodies share: one JSON object holding one array under
     * {@code field}, at most max-batch-size items, nothing after it.
     */
    private <T> List<T> envelope(byte[] body, String field, String notAnArray, ItemReader<T> reader) {
        String text = JsonBodies.decodeUtf8(requireBody(body));
        String shape = "{\"" + field + "\": [...]}";
        try (JsonParser p = factory.createParser(text)) {
            expect(p, JsonToken.START_OBJECT, "the body must be a JSON object " + shape);
            List<T> items = null;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                if (!field.equals(name)) {
                    throw invalid("unknown field '" + name + "'; the body is " + shape);
                }
                expect(p, JsonToken.START_ARRAY, notAnArray);
                items = new ArrayList<>();
                for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
                    checkCount(items.size() + 1, field);
                    items.add(reader.read(p, item, text, items.size()));
                }
            }
            requireEnd(p);
            if (items == null) {
                throw invalid("the body has no \"" + field + "\" array");
            }
            return items;
        } catch (StreamConstraintsException e) {
            throw ProblemException.badRequest("json-too-complex", e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw invalid("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from a string cannot fail with I/O", e);
        }
    }

    private PutItem entry(JsonParser p, String text, String where) throws IOException {
        String key = null;
        RawValue value = null;
        String ttl = null;
        String stale = null;
        List<String> tags = List.of();
        Long revision = null;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "key" -> {
                    if (v != JsonToken.VALUE_STRING) {
                        throw invalid(where + ".key is not a string");
                    }
                    key = p.getText();
                }
                case "value" -> value = rawValue(p, text, where);
                case "ttl" -> ttl = durationText(p, v, where + ".ttl");
                case "stale" -> stale = durationText(p, v, where + ".stale");
                case "tags" -> tags = tags(p, v, where);
                case "revision" -> revision = revision(p, v, where);
                default -> throw invalid(where + " has an unknown field '" + field + "' (known: key, value, ttl, stale, tags, revision)");
            }
        }
        if (key == null) {
            throw invalid(where + " has no key");
        }
        if (value == null) {
            throw invalid(where + " has no value");
        }
        long sent = Utf8.length(value.json());
        if (sent > maxValueBytes) {
            throw ProblemException.tooLarge(where + ".value is " + sent + " bytes; the limit is " + maxValueBytes
                    + " bytes (pgcache.limits.max-value-size)");
        }
        JsonBodies.checkGrowth(value.size(), sent, maxValueBytes, where + ".value");
        int stored = (int) Math.min(Integer.MAX_VALUE, value.size().of(sent));
        return new PutItem(key, value.json(), stored, ttl, stale, tags, revision);
    }

    /** The value's text exactly as sent, checking its strings for \u0000 and measuring it on the way. */
    private static RawValue rawValue(JsonParser p, String text, String where) throws IOException {
        int start = (int) p.currentTokenLocation().getCharOffset();
        JsonToken t = p.currentToken();
        StoredJson.Size size = new StoredJson.Size();
        int depth = 0;
        do {
            size.add(p, t, where + ".value: ");
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                depth++;
            } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                depth--;
            } else if ((t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME) && p.getText().indexOf('\0') >= 0) {
                throw ProblemException.badRequest("unsupported-json",
                        where + ".value contains \\u0000 in a string, which PostgreSQL jsonb cannot store");
            } else if (t.isNumeric()) {
                p.getText(); // completes the token, so the end offset below lies after it
            }
            if (depth > 0) {
                t = p.nextToken();
            }
        } while (depth > 0);
        int end = (int) p.currentLocation().getCharOffset();
        return new RawValue(text.substring(start, end), size);
    }

    private static String durationText(JsonParser p, JsonToken v, String where) throws IOException {
        if (v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NUMBER_INT) {
            return p.getText();
        }
        throw invalid(where + " must be a string such as \"5m\" or a number of seconds");
    }

    private static List<String> tags(JsonParser p, JsonToken v, String where) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw invalid(where + ".tags must be an array of strings");
        }
        List<String> tags = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.VALUE_STRING) {
                throw invalid(where + ".tags[" + tags.size() + "] is not a string");
            }
            tags.add(p.getText());
        }
        return tags;
    }

    private static Long revision(JsonParser p, JsonToken v, String where) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                || v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.LONG) {
            long rev = p.getLongValue();
            if (rev >= 0) {
                return rev;
            }
        }
        throw ProblemException.badRequest("invalid-revision", where + ".revision must be a whole number from 0 to " + Long.MAX_VALUE);
    }

    private void checkCount(int n, String what) {
        if (n > maxBatchSize) {
            throw ProblemException.tooLarge("more than " + maxBatchSize + " " + what + " in one batch (pgcache.limits.max-batch-size)");
        }
    }

    private static byte[] requireBody(byte[] body) {
        if (body == null || body.length == 0) {
            throw invalid("the body is empty");
        }
        return body;
    }

    private static void expect(JsonParser p, JsonToken expected, String message) throws IOException {
        if (p.nextToken() != expected) {
            throw invalid(message);
        }
    }

    private static void requireEnd(JsonParser p) throws IOException {
        if (p.nextToken() != null) {
            throw invalid("the body holds more than one JSON value");
        }
    }

    private static ProblemException invalid(String detail) {
        return ProblemException.badRequest("invalid-batch", detail);
    }
}
