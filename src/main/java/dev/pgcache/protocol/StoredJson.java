package dev.pgcache.protocol;

import java.io.IOException;
import java.math.BigDecimal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

/**
 * What PostgreSQL makes of a JSON text it stores as jsonb, for the two ways it can surprise a
 * cache that measures values by the text it was sent:
 * <ul>
 * <li><b>Reads can be larger than writes.</b> {@code value::text} prints a space after every
 * {@code ,} and {@code :}, and numbers in plain decimal form, since jsonb keeps them as
 * {@code numeric}: the 8 bytes {@code 1e131071} come back as 131,072 digits. So
 * {@code size_bytes} is not the text as sent but an upper bound of what a read returns: the
 * text as sent, plus one byte per separator, plus the digits each number gains (exact for
 * compact JSON). Answers are bounded by it before any value is read (see BoundedReads), which
 * only works if no stored value can be larger than its size_bytes.</li>
 * <li><b>Some JSON cannot be stored.</b> jsonb refuses a string with an unpaired UTF-16
 * surrogate escape ({@code "\ud800"}); refused here with a clear reason instead of a database
 * error.</li>
 * </ul>
 * A number whose plain form would be longer than {@link #MAX_NUMBER_LENGTH} characters is refused
 * outright, the same limit as for numbers as written: doubles in exponent form (JavaScript writes
 * 1e-7 and 5e-324) stay within it, while a few bytes can no longer become megabytes.
 */
public final class StoredJson {

    /** Longest number, in characters, as written and as PostgreSQL prints it back. */
    public static final int MAX_NUMBER_LENGTH = 1_000;

    /** Parses texts that were checked before (by the API, or by the proxy's own parser) to measure them again. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(1_000).maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxStringLength(Integer.MAX_VALUE).build())
            .build();

    private StoredJson() {
    }

    /**
     * The stored size of a JSON text that is known to be one valid JSON value, or -1 when PostgreSQL
     * would refuse it or a number in it is too long in plain form (store nothing then).
     */
    public static long sizeOf(String json) {
        Size size = new Size();
        try (JsonParser p = FACTORY.createParser(json)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                size.add(p, t, "");
            }
        } catch (IOException | ProblemException e) {
            return -1;
        }
        return size.of(Utf8.length(json));
    }

    /**
     * Measures a value token by token, as its parser reads it, and refuses what PostgreSQL would
     * refuse or grow past the number limit.
     */
    public static final class Size {

        private long separators;
        private long numberGrowth;

        /**
         * Adds the token's growth.
         *
         * @param where how the caller names the value in an error, e.g. "entries[3].value " or ""
         * @throws ProblemException unsupported-json: an unpaired surrogate in a string, or a number too long in plain form
         */
        public void add(JsonParser p, JsonToken t, String where) throws IOException {
            switch (t) {
                case END_ARRAY, END_OBJECT -> {
                    return;
                }
                case FIELD_NAME -> {
                    // "k": v, — a space after the colon, and after the comma before every member but the first
                    separators += p.getParsingContext().getCurrentIndex() > 0 ? 2 : 1;
                    checkText(p, where);
                    return;
                }
                default -> {
                    // a value: in an array, a space after the comma before every element but the first
                    JsonStreamContext container = t.isStructStart() ? p.getParsingContext().getParent() : p.getParsingContext();
                    if (container != null && container.inArray() && container.getCurrentIndex() > 0) {
                        separators++;
                    }
                }
            }
            if (t == JsonToken.VALUE_STRING) {
                checkText(p, where);
            } else if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                checkNumber(p, where);
            }
        }

        /** The stored size of a value whose text as sent has {@code sentBytes} UTF-8 bytes. */
        public long of(long sentBytes) {
            return sentBytes + separators + numberGrowth;
        }

        /** The digits numbers in exponent form gain when PostgreSQL prints them in plain form. */
        public long numberGrowth() {
            return numberGrowth;
        }

        private void checkNumber(JsonParser p, String where) throws IOException {
            String text = p.getText();
            if (text.indexOf('e') < 0 && text.indexOf('E') < 0) {
                return; // already in plain form: printed as written, or shorter (-0 as 0)
            }
            long plain = plainLength(text);
            if (plain > MAX_NUMBER_LENGTH) {
                throw ProblemException.badRequest("unsupported-json", where + "the number " + shortened(text) + " at " + location(p)
                        + " would be stored and read back as " + (plain == Long.MAX_VALUE ? "more than 2^31" : Long.toString(plain))
                        + " characters: PostgreSQL keeps JSON numbers as numeric, in plain decimal form, and pgcache stores numbers of at most "
                        + MAX_NUMBER_LENGTH + " characters; send it as a JSON string");
            }
            numberGrowth += Math.max(0, plain - text.length());
        }

        private static void checkText(JsonParser p, String where) throws IOException {
            int at = Utf8.unpairedSurrogateAt(p.getText());
            if (at >= 0) {
                throw ProblemException.badRequest("unsupported-json", where + "a string at " + location(p)
                        + " contains an unpaired UTF-16 surrogate (\\u" + Integer.toHexString(p.getText().charAt(at))
                        + "), which is not Unicode text and which PostgreSQL jsonb cannot store; escape a character outside the "
                        + "Basic Multilingual Plane as a pair (\\ud83d\\ude00), or encode binary data (for example as base64)");
            }
        }
    }

    /**
     * The length of a JSON number in plain decimal form, as PostgreSQL's numeric prints it (and
     * BigDecimal.toPlainString() would, without building that string); Long.MAX_VALUE when its
     * exponent is beyond any numeric.
     */
    static long plainLength(String number) {
        BigDecimal d;
        try {
            d = new BigDecimal(number);
        } catch (NumberFormatException | ArithmeticException e) {
            return Long.MAX_VALUE; // an exponent past int: far past numeric's range as well
        }
        long scale = d.scale();
        if (d.signum() == 0) {
            return scale <= 0 ? 1 : 2 + scale; // 0, or 0.000 (numeric has no negative zero)
        }
        long sign = d.signum() < 0 ? 1 : 0;
        long digits = d.precision();
        if (scale <= 0) {
            return sign + digits - scale; // 15E+2: 1500
        }
        if (scale < digits) {
            return sign + digits + 1; // 1.25E+1: 12.5
        }
        return sign + 2 + scale; // 1E-7: 0.0000001
    }

    private static String location(JsonParser p) {
        return "line " + p.currentTokenLocation().getLineNr() + ", column " + p.currentTokenLocation().getColumnNr();
    }

    private static String shortened(String number) {
        return number.length() <= 40 ? number : number.substring(0, 20) + "…" + number.substring(number.length() - 12);
    }
}
