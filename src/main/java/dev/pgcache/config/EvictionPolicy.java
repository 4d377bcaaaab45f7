package dev.pgcache.config;

/** Which rows purge removes first when a bound is exceeded ({@code pgcache.storage.eviction-policy}). */
public enum EvictionPolicy {
    /**
     * CLOCK (second chance): rows are taken in the order they were written or last given a second
     * chance; a row read since then (its flushed last_hit_at) is kept and goes to the back of the
     * queue instead. Approximates least-recently-used without a write per read.
     */
    SECOND_CHANCE,
    /**
     * Greedy-dual-size-frequency over a window of the queue: of the queue's first rows (as many
     * as {@code pgcache.storage.eviction-window} times the rows to free), those with the fewest
     * reads since they were queued per byte go first; rows at the front that were read are
     * requeued with their reads used up. Keeps many small values before a few large ones read
     * as rarely: more hits from the same bytes, fewer bytes answered.
     */
    SIZE_AWARE,
    /** The oldest written rows first, reads or not: what pgcache did before second chance and size-aware. */
    OLDEST_FIRST
}
