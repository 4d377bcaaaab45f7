package dev.pgcache.config;

/** Which rows purge removes first when a bound is exceeded ({@code pgcache.storage.eviction-policy}). */
public enum EvictionPolicy {
    /**
     * CLOCK (second chance): rows are taken in the order they were written or last given a second
     * chance; a row read since then (its flushed last_hit_at) is kept and goes to the back of the
     * queue instead. Approximates least-recently-used without a write per read.
     */
    SECOND_CHANCE,
    /** The oldest written rows first, reads or not: what pgcache did before second chance. */
    OLDEST_FIRST
}
