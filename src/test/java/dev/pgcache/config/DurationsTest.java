package dev.pgcache.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({ "300,PT5M", "0,PT0S", "PT5M,PT5M", "pt1h,PT1H", "P1D,PT24H", "P1DT2H,PT26H", "P2W,PT336H", "500ms,PT0.5S",
            "30s,PT30S", "5m,PT5M", "2h,PT2H", "7d,PT168H", " 60 ,PT1M" })
    void parsesEveryAcceptedForm(String text, String expected) {
        assertEquals(Duration.parse(expected), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = { "-1", "-PT1S", "PT-1S", "abc", "", "5 m", "P1M", "P1Y", "1.5", "10x" })
    void refusesEverythingElse(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().length() > 5);
    }

    @ParameterizedTest
    @ValueSource(strings = { "never", "NEVER", " never " })
    void neverMeansNoExpiry(String text) {
        assertEquals(Optional.empty(), Durations.parseTtl(text));
    }
}
