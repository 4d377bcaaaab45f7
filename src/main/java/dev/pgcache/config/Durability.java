package dev.pgcache.config;

/**
 * What a 2xx to a write promises when the database crashes ({@code pgcache.namespaces.<name>.durability}).
 * Settings write the constants in lower case ({@link EnumText}).
 */
public enum Durability {
    /**
     * The write's transaction commits with the session's synchronous_commit, raised to on when it
     * is off, so it is answered once its WAL is on disk: a 2xx survives a crash (docs/operations.md,
     * "Durability levels").
     */
    STRICT,
    /**
     * The write's transaction runs with {@code synchronous_commit = off}: it
     * is answered before its WAL is on disk, so a crash of the database may lose the last fraction of a second of
     * answered writes (up to three times wal_writer_delay), but never half-applies one.
     */
    RELAXED
}
