package dev.pgcache.entry;

import java.util.Optional;

/**
 * Turns "keys starting with P" into the index range {@code P <= key < upper}. cache_key is
 * COLLATE "C", which orders by UTF-8 bytes and so by code point; the range then holds exactly
 * the keys with the prefix, and the primary key index serves it even from a generic prepared
 * plan (where {@code LIKE $1} could not use the index).
 */
final class KeyRange {

    private static final int MAX_CODE_POINT = Character.MAX_CODE_POINT;

    private KeyRange() {
    }

    /**
     * The smallest string greater than every string that starts with {@code prefix}: the prefix
     * with its last code point raised by one, dropping trailing U+10FFFF first. Empty when the
     * prefix is nothing but U+10FFFF, i.e. there is no upper bound.
     */
    static Optional<String> upperBoundOf(String prefix) {
        int[] cps = prefix.codePoints().toArray();
        int last = cps.length - 1;
        while (last >= 0 && cps[last] == MAX_CODE_POINT) {
            last--;
        }
        if (last < 0) {
            return Optional.empty();
        }
        int next = cps[last] + 1;
        if (next >= Character.MIN_SURROGATE && next <= Character.MAX_SURROGATE) {
            next = Character.MAX_SURROGATE + 1; // surrogates are not characters and never occur in stored text
        }
        cps[last] = next;
        return Optional.of(new String(cps, 0, last + 1));
    }
}
