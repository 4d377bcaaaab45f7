package dev.pgcache.security;

import dev.pgcache.config.EnumText;

/** What a key may do. Scopes do not imply each other: a writer that also reads needs both. */
public enum Scope {
    READ,
    WRITE,
    ADMIN;

    static Scope parse(String text) {
        return EnumText.parse(Scope.class, text)
                .orElseThrow(() -> new IllegalArgumentException("unknown scope '" + text + "' (known: read, write, admin)"));
    }

    String label() {
        return EnumText.of(this);
    }
}
