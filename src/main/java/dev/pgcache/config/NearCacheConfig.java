package dev.pgcache.config;

import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * {@code pgcache.near-cache.*}: the in-process copy of hot entries that each replica keeps,
 * coherent with the table through PostgreSQL's notifications (dev.pgcache.near,
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
     * than this, that it has applied every change committed before (a heartbeat through its
     * own listening connection). Past it, reads go to the table until the proof is renewed.
     */
    @WithName("max-lag")
    @WithDefault("1s")
    Duration maxLag();

    /**
     * Where the listening connection goes, when not to quarkus.datasource.jdbc.url (user and
     * password are the datasource's). It must reach PostgreSQL directly, with a session of its
     * own: a LISTEN does not survive a pooler in transaction mode.
     */
    @WithName("listen-jdbc-url")
    Optional<String> listenJdbcUrl();
}
