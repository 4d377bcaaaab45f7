package dev.pgcache.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * {@code pgcache.database.*}: how pgcache's own statements reach the table, whether the pool's
 * URL ({@code quarkus.datasource.jdbc.url}) goes straight to PostgreSQL or through a pooler in
 * transaction mode (PgBouncer). Nothing here travels as a connection's startup parameter or a
 * session setting, which such a pooler refuses or hands to other clients (docs/operations.md,
 * "PgBouncer").
 */
public interface DatabaseConfig {

    /**
     * The schema that holds cache_entry. Every statement names it (quoted) in front of the table,
     * so no statement depends on a session's search_path. application.properties sets
     * quarkus.flyway.schemas and quarkus.hibernate-orm.database.default-schema from it.
     */
    @WithDefault("pgcache")
    String schema();

    /**
     * The longest any statement of the service may run: a JDBC query timeout on every statement
     * (the driver cancels it, through the pooler if there is one) and statement_timeout inside the
     * service's own transactions. Whole seconds (JDBC's unit), at least 1 s.
     */
    @WithName("statement-timeout")
    @WithDefault("10s")
    Duration statementTimeout();

    /**
     * The longest a statement inside one of the service's transactions (purge, eviction, a load
     * under its lock) waits for a row lock: lock_timeout, set for that transaction only.
     */
    @WithName("lock-timeout")
    @WithDefault("2s")
    Duration lockTimeout();

    /**
     * From which use on a connection the driver prepares a statement on the server (pgjdbc's
     * prepareThreshold, which application.properties sets from this). 0: never, as a pool behind
     * a pooler in transaction mode (PgBouncer before 1.21) needs, at the price of planning every
     * statement each time (the table GET runs 2.3x slower at the database, docs/benchmarks.md).
     */
    @WithName("prepare-threshold")
    @WithDefault("5")
    int prepareThreshold();

    /**
     * A file holding the database password (its content, without a trailing line break). Read
     * again for every new connection, so that a password rotated in PostgreSQL is taken up by
     * writing the new one here, without a restart (docs/operations.md, "Rotating the database
     * password"). Unset: quarkus.datasource.password, read once at start.
     */
    @WithName("password-file")
    Optional<Path> passwordFile();
}
