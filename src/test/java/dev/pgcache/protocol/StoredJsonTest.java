package dev.pgcache.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The stored size without a database: the plain length of numbers as BigDecimal (and PostgreSQL's
 * numeric, checked against the real table in StoredSizeTest) writes them, without building the
 * string, and the spaces jsonb prints.
 */
class StoredJsonTest {

    @Test
    void plainLengthIsTheLengthOfThePlainForm() {
        for (String n : List.of("1e20", "1E+20", "1e-7", "1.5e2", "0e10", "0e-10", "-0e3", "-0.0e-2", "1.500e1", "10e-1", "0.1e1",
                "1.0e-1", "123.456e-10", "-1e-3", "-1.25E-3", "5e-324", "1.7976931348623157e308", "-9.99e2", "12345e-2", "1e0")) {
            assertEquals(new BigDecimal(n).toPlainString().length(), StoredJson.plainLength(n), n);
        }
    }

    @Test
    void plainLengthOfHugeExponentsIsComputedNotBuilt() {
        assertEquals(131_072, StoredJson.plainLength("1e131071"));
        assertEquals(1_000_000_001, StoredJson.plainLength("1e1000000000"));
        assertEquals(Long.MAX_VALUE, StoredJson.plainLength("1e99999999999"), "an exponent past int");
    }

    @Test
    void sizeCountsTheSpacesJsonbPrintsAndTheDigitsNumbersGain() {
        // the texts and lengths PostgreSQL 15 printed for these values (select v::jsonb::text)
        assertEquals("{\"a\": 1, \"b\": [1, 2, {}], \"c\": \"x\"}".length(), StoredJson.sizeOf("{\"a\":1,\"b\":[1,2,{}],\"c\":\"x\"}"));
        assertEquals("[[], [[]], {}, {\"\": [null, true, false]}]".length(), StoredJson.sizeOf("[[],[[]],{},{\"\":[null,true,false]}]"));
        assertEquals("[100000000000000000000, 0.0000001]".length(), StoredJson.sizeOf("[1e20,1e-7]"));
        assertEquals("\"x\"".length(), StoredJson.sizeOf("\"x\""));
        assertEquals(-1, StoredJson.sizeOf("[1e1001]"), "too long written out: not stored");
        assertEquals(-1, StoredJson.sizeOf("\"\\ud800\""), "an unpaired surrogate: not stored");
    }

    @Test
    void unpairedSurrogatesAreFound() {
        assertEquals(-1, Utf8.unpairedSurrogateAt("a😀b"));
        assertEquals(0, Utf8.unpairedSurrogateAt("\ud800"));
        assertEquals(1, Utf8.unpairedSurrogateAt("a\udc00\ud800"));
        assertEquals(2, Utf8.unpairedSurrogateAt("ab\ud83d"));
    }
}
