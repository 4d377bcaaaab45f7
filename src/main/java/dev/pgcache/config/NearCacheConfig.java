package dev.pgcache.config;

import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * {@code pgcache.near-cache.*}: the in-process copy of hot entries that each replica keeps,
 * coherent with the table through the change log its triggers write (dev.pgcache.near,
 * docs/architecture.md "Near cache").
 */
public interface NearCacheConfig {
    /** Whether GETs may be answered from memory at all; one namespace turns it off with pgcache.namespaces.NAME.near-cache. */
    @WithDefault("true")
    boolean enabled();

    /**
     * Most heap the copies take, counted as their JSON text and key (one byte a character, two
     * when any is beyond Latin-1) plus a fixed overhead per entry. The default fits the 128 MiB
     * heap of bin/jvm-options beside the memory budget and the hit counts; raise both together.
     */
    @WithName("max-bytes")
    @WithDefault("16M")
    MemorySize maxBytes();

    /** A value whose JSON text is longer than this is never kept in memory (it would push out many small hot ones). */
    @WithName("max-entry-bytes")
    @WithDefault("64K")
    MemorySize maxEntryBytes();

    /**
     * The staleness bound: the replica answers from memory only while it has proof, no older
     * than this, that it has applied every change committed before (a poll of the change log
     * through its own connection). Past it, reads go to the table until the proof is renewed.
     */
    @WithName("max-lag")
    @WithDefault("1s")
    Duration maxLag();

    /**
     * How often the replica reads the change log (at most max-lag/4): the usual time, after a
     * commit elsewhere, before this replica stops answering the old version from memory. One
     * small indexed query each time.
     */
    @WithName("poll-interval")
    @WithDefault("10ms")
    Duration pollInterval();

    /**
     * Where the connection that follows the change log goes, when not to
     * quarkus.datasource.jdbc.url (user and password are the datasource's). Straight to
     * PostgreSQL behind a pooler in transaction mode: its polls use the driver's server-side
     * prepared statements, which PgBouncer before 1.21 does not keep apart.
     */
    @WithName("listen-jdbc-url")
    Optional<String> listenJdbcUrl();
}
