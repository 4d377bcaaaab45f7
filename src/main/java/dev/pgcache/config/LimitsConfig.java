package dev.pgcache.config;

import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** {@code pgcache.limits.*}: sizes and counts a request may not pass. */
public interface LimitsConfig {
    /** Largest JSON value a single PUT may carry. */
    @WithName("max-value-size")
    @WithDefault("1M")
    MemorySize maxValueSize();

    /** Longest key, in UTF-8 bytes. */
    @WithName("max-key-bytes")
    @WithDefault("512")
    int maxKeyBytes();

    /** Deepest nesting of arrays and objects in a stored value. */
    @WithName("max-json-depth")
    @WithDefault("64")
    int maxJsonDepth();

    /** Most tags on one entry. */
    @WithName("max-tags")
    @WithDefault("32")
    int maxTags();

    /** Longest tag, in UTF-8 bytes. */
    @WithName("max-tag-bytes")
    @WithDefault("128")
    int maxTagBytes();

    /**
     * Request bodies the service reads and handles, and answers it builds, at once, in bytes:
     * a request whose body or answer would pass it gets a 503 server-busy with Retry-After
     * instead of running the heap out (a 16 MiB batch takes about four times its size in
     * memory while it is parsed and bound, and an answer as much while it is read, built and
     * written). Bodies and answers up to 64 KiB are not counted, so small requests go on
     * while large ones queue. Raise it with the heap (bin/jvm-options). At least
     * quarkus.http.limits.max-body-size, max-answer-size and pgcache.rpc.max-answer-size.
     */
    @WithName("max-in-flight-body-size")
    @WithDefault("16M")
    MemorySize maxInFlightBodySize();

    /**
     * Largest batch-get answer, in bytes: the stored values (by size_bytes, an upper bound of
     * their text) and the fields around them. A batch-get that would answer more gets a 413
     * answer-too-large before any value is read from the database. Default (unset):
     * max-in-flight-body-size, the largest answer the memory budget can hold; at most that.
     */
    @WithName("max-answer-size")
    Optional<MemorySize> maxAnswerSize();

    /** Most keys in one batch-get, or entries in one batch-put. */
    @WithName("max-batch-size")
    @WithDefault("1000")
    int maxBatchSize();

    /** Most keys one listing page may ask for. */
    @WithName("max-list-limit")
    @WithDefault("1000")
    int maxListLimit();

    /**
     * How long the whole head of a request (request line and headers) may take to arrive, from its
     * first byte: a connection whose head is not complete by then is answered 408 and closed. Every
     * byte resets the idle timeout (quarkus.http.idle-timeout), so without this a client sending a
     * byte every few seconds would hold its connection indefinitely (slowloris). A connection idle
     * between requests is the idle timeout's, not this one's.
     */
    @WithName("head-timeout")
    @WithDefault("10s")
    Duration headTimeout();

    /** Longest TTL or stale window a caller may ask for. */
    @WithName("max-ttl")
    @WithDefault("P3650D")
    Duration maxTtl();
}
