package dev.pgcache.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The namespace check by hand (KeyRules.isNamespace) says what NAMESPACE_PATTERN says, for every text. */
class KeyRulesTest {

    @ParameterizedTest
    @ValueSource(strings = { "a", "0", "bench", "sec-a", "a.b_c-d", "9-", "rt-relaxed" })
    void namespaces(String s) {
        assertTrue(KeyRules.isNamespace(s), s);
        assertTrue(KeyRules.matchesNamespacePattern(s), s);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "-a", ".a", "_a", "A", "aB", "a b", "a/b", "a;b", "é", "a\u0663", "a*" })
    void notNamespaces(String s) {
        assertFalse(KeyRules.isNamespace(s), s);
        assertFalse(KeyRules.matchesNamespacePattern(s), s);
    }

    @Test
    void sixtyFourCharactersAtMost() {
        assertTrue(KeyRules.isNamespace("a".repeat(64)));
        assertFalse(KeyRules.isNamespace("a".repeat(65)));
        assertFalse(KeyRules.matchesNamespacePattern("a".repeat(65)));
    }

    @Test
    void agreesWithThePatternOnRandomText() {
        String alphabet = "az09._-AZ /;*é\u0663\n";
        Random random = new Random(15);
        int valid = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder();
            for (int n = random.nextInt(random.nextInt(10) == 0 ? 70 : 6); n > 0; n--) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            boolean expected = KeyRules.matchesNamespacePattern(s.toString());
            assertEquals(expected, KeyRules.isNamespace(s.toString()), "'" + s + "'");
            valid += expected ? 1 : 0;
        }
        assertTrue(valid > 1000, "only " + valid + " valid namespaces among the random texts");
    }
}
