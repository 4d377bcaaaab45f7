package dev.pgcache.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class KeyRangeTest {

    @Test
    void raisesTheLastCodePoint() {
        assertEquals(Optional.of("user;"), KeyRange.upperBoundOf("user:"));
        assertEquals(Optional.of("b"), KeyRange.upperBoundOf("a"));
    }

    @Test
    void dropsTrailingMaximumCodePoints() {
        String max = new String(Character.toChars(Character.MAX_CODE_POINT));
        assertEquals(Optional.of("b"), KeyRange.upperBoundOf("a" + max + max));
        assertEquals(Optional.empty(), KeyRange.upperBoundOf(max));
    }

    @Test
    void stepsOverSurrogatesAndHandlesSupplementaryCharacters() {
        assertEquals(Optional.of("x\uE000"), KeyRange.upperBoundOf("x\uD7FF"));
        String grin = "\uD83D\uDE00"; // U+1F600
        assertEquals(Optional.of(new String(Character.toChars(0x1F601))), KeyRange.upperBoundOf(grin));
    }

    @Test
    void everyKeyWithThePrefixSortsBelowTheBoundInCodePointOrder() {
        String prefix = "ab\u00ff";
        String upper = KeyRange.upperBoundOf(prefix).orElseThrow();
        for (String key : new String[] { prefix, prefix + "z", prefix + "\uFFFF", prefix + new String(Character.toChars(0x10FFFF)) }) {
            assertTrue(compareCodePoints(prefix, key) <= 0 && compareCodePoints(key, upper) < 0, key);
        }
        assertTrue(compareCodePoints("ac", upper) >= 0);
    }

    private static int compareCodePoints(String a, String b) {
        return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }
}
