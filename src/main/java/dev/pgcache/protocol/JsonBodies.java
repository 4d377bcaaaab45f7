package dev.pgcache.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import dev.pgcache.config.PgcacheConfig;

/**
 * Checks a request body that is to be stored as a JSON value, without building a tree: strict
 * UTF-8, exactly one JSON value, nesting and number length bounded (so no document can exhaust
 * the stack or memory), and no {@code \u0000} in strings, which jsonb cannot hold. Numbers are
 * never converted, so PostgreSQL receives and keeps every digit. It also measures the value as
 * PostgreSQL will store and print it ({@link StoredJson}): that size is what the value limit and
 * size_bytes count, so that a few bytes of exponent cannot become megabytes on the way back.
 */
@ApplicationScoped
public class JsonBodies {

    /** uint256 has 78 digits; leave room for long decimals while refusing absurd numbers early. */
    private static final int MAX_NUMBER_LENGTH = StoredJson.MAX_NUMBER_LENGTH;

    /**
     * A value ready for {@code CAST(? AS jsonb)}.
     *
     * @param json        the body as text
     * @param storedBytes its size as stored: an upper bound of what a read returns, the size_bytes to store
     */
    public record Value(String json, int storedBytes) {
    }

    private final JsonFactory factory;
    private final long maxValueBytes;
    private final int maxDepth;

    JsonBodies(PgcacheConfig config) {
        this.maxValueBytes = config.limits().maxValueSize().asLongValue();
        this.maxDepth = config.limits().maxJsonDepth();
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxDepth)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxValueBytes))
                        .build())
                .build();
    }

    public long maxValueBytes() {
        return maxValueBytes;
    }

    /**
     * Returns the body as a string ready for {@code CAST(? AS jsonb)}, with its stored size.
     *
     * @throws ProblemException 400 for anything but one valid JSON value PostgreSQL can store, 413 past the size limit
     */
    public Value checkValue(byte[] body) {
        if (body == null || body.length == 0) {
            throw ProblemException.badRequest("invalid-json", "the body is empty; send one JSON value (object, array, string, number, true, false or null)");
        }
        if (body.length > maxValueBytes) {
            throw ProblemException.tooLarge("the value is " + body.length + " bytes; the limit is " + maxValueBytes
                    + " bytes (pgcache.limits.max-value-size)");
        }
        String text = decodeUtf8(body);
        StoredJson.Size size = checkJson(text);
        checkGrowth(size, body.length, maxValueBytes, "the value");
        return new Value(text, (int) Math.min(Integer.MAX_VALUE, size.of(body.length)));
    }

    /**
     * Refuses a value that is within the limit as sent but not once its numbers are written out:
     * the limit bounds what a read returns, too. (The spaces jsonb prints after ',' and ':' are
     * not counted here: they add at most half, and counting them would refuse values that were
     * always accepted.)
     */
    public static void checkGrowth(StoredJson.Size size, long sentBytes, long maxValueBytes, String what) {
        long grown = sentBytes + size.numberGrowth();
        if (grown > maxValueBytes) {
            throw ProblemException.tooLarge(what + " is " + sentBytes + " bytes as sent, but " + grown + " bytes as PostgreSQL stores "
                    + "and returns it (it writes numbers in exponent form out in full); the limit is " + maxValueBytes
                    + " bytes (pgcache.limits.max-value-size)");
        }
    }

    public static String decodeUtf8(byte[] body) {
        int offset = 0;
        if (body.length >= 3 && (body[0] & 0xff) == 0xEF && (body[1] & 0xff) == 0xBB && (body[2] & 0xff) == 0xBF) {
            offset = 3; // RFC 8259 lets a parser ignore a UTF-8 byte order mark
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(body, offset, body.length - offset));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw ProblemException.badRequest("invalid-json", "the body is not valid UTF-8; JSON must be sent as UTF-8");
        }
    }

    private StoredJson.Size checkJson(String text) {
        StoredJson.Size size = new StoredJson.Size();
        try (JsonParser p = factory.createParser(text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw ProblemException.badRequest("invalid-json", "the body holds no JSON value, only white space");
            }
            for (JsonToken t = first; t != null; t = p.nextToken()) {
                if ((t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME) && p.getText().indexOf('\0') >= 0) {
                    throw ProblemException.badRequest("unsupported-json",
                            "a string at " + location(p) + " contains \\u0000, which PostgreSQL jsonb cannot store; "
                                    + "remove it or encode the data (for example as base64)");
                }
                size.add(p, t, "");
                if (p.getParsingContext().inRoot()) {
                    break; // the root value is complete
                }
            }
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                throw ProblemException.badRequest("invalid-json",
                        "the body holds more than one JSON value: unexpected " + trailing.asString() + " at " + location(p));
            }
            return size;
        } catch (StreamConstraintsException e) {
            String message = firstLine(e.getOriginalMessage());
            throw ProblemException.badRequest("json-too-complex", message.toLowerCase(java.util.Locale.ROOT).contains("nesting")
                    ? message + " (limit pgcache.limits.max-json-depth=" + maxDepth + ")"
                    : message);
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("invalid-json", "the body is not valid JSON: " + firstLine(e.getOriginalMessage())
                    + " at " + location(e));
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from a string cannot fail with I/O", e);
        }
    }

    private static String location(JsonParser p) {
        return "line " + p.currentLocation().getLineNr() + ", column " + p.currentLocation().getColumnNr();
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "an unknown position"
                : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
