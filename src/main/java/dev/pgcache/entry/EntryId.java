package dev.pgcache.entry;

/** Where an entry lives: its namespace and the caller's key. Checked by {@link KeyRules} before use. */
public record EntryId(String namespace, String key) {
}
