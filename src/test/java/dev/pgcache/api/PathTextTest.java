package dev.pgcache.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.pgcache.protocol.ProblemException;

class PathTextTest {

    @ParameterizedTest
    @CsvSource({ "plain,plain", "a%2Fb,a/b", "%E2%82%AC,€", "%f0%9f%98%80,😀", "a+b,a+b", "%25,%", "€x,€x" })
    void decodesValidEscapes(String raw, String expected) {
        assertEquals(expected, PathText.decode(raw, "key"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "a%G1", "a%", "a%2", "%FF", "%C3", "%ED%A0%80" })
    void refusesBrokenEscapesAndInvalidUtf8(String raw) {
        ProblemException e = assertThrows(ProblemException.class, () -> PathText.decode(raw, "key"));
        assertEquals(400, e.problem().status());
        assertTrue(e.problem().type().endsWith("invalid-key"));
    }
}
