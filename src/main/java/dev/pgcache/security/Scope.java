package dev.pgcache.security;

import java.util.Locale;

/** What a key may do. Scopes do not imply each other: a writer that also reads needs both. */
public enum Scope {
    READ,
    WRITE,
    ADMIN;

    static Scope parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown scope '" + text + "' (known: read, write, admin)");
        }
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
