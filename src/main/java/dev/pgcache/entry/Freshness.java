package dev.pgcache.entry;

/** What a reader gets: a fresh value, or an expired one still inside its stale window. Gone rows are never returned. */
public enum Freshness {
    FRESH,
    STALE
}
