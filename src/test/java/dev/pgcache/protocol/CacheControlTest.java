package dev.pgcache.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class CacheControlTest {

    @Test
    void directivesAreReadCaseInsensitivelyWithQuotedValues() {
        CacheControl cc = CacheControl.parse("Max-Age=\"60\", no-cache, stale-while-revalidate=5, x-ext=abc");
        assertEquals(60L, cc.seconds("max-age"));
        assertEquals(5L, cc.seconds("stale-while-revalidate"));
        assertTrue(cc.has("no-cache"));
        assertNull(cc.value("no-cache"));
        assertEquals("abc", cc.value("x-ext"));
        assertNull(cc.seconds("min-fresh"));
        assertFalse(CacheControl.parse((String) null).has("max-age"));
    }

    @Test
    void aCallersBadNumberIsA400AndAnUpstreamsIsIgnored() {
        CacheControl cc = CacheControl.parse("max-age=soon, s-maxage=-1");
        ProblemException e = assertThrows(ProblemException.class, () -> cc.seconds("max-age"));
        assertEquals("invalid-cache-control", e.slug());
        assertNull(cc.secondsIfValid("max-age"));
        assertNull(cc.secondsIfValid("s-maxage"));
        assertThrows(ProblemException.class, () -> CacheControl.parse("max-age=1234567890123").seconds("max-age"));
    }

    @Test
    void severalHeadersReadAsOneListAndTheFirstOfARepeatedDirectiveCounts() {
        CacheControl cc = CacheControl.parse(List.of("max-age=10", "s-maxage=20, max-age=30"));
        assertEquals(10L, cc.secondsIfValid("max-age"));
        assertEquals(20L, cc.secondsIfValid("s-maxage"));
        assertEquals(7L, CacheControl.wholeSeconds(" 7 "));
    }
}
