package dev.pgcache.entry;

import java.util.Set;

/**
 * The HTTP precondition of a write (RFC 9110 §13), checked inside the write statement itself so
 * that concurrent writers cannot slip between a check and a write.
 */
public sealed interface WritePrecondition {

    /** Write whatever is stored. */
    record None() implements WritePrecondition {
    }

    /** {@code If-Match}: write only over a live entry whose version is one of these; any live entry when empty ({@code *}). */
    record IfMatch(Set<Long> versions) implements WritePrecondition {
    }

    /** {@code If-None-Match}: write only when no live entry has one of these versions; only when none is live when empty ({@code *}). */
    record IfNoneMatch(Set<Long> versions) implements WritePrecondition {
    }

    WritePrecondition NONE = new None();
}
