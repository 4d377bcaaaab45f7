package dev.pgcache.entry;

import java.util.Map;

import jakarta.inject.Singleton;

import org.flywaydb.core.api.configuration.FluentConfiguration;

import io.quarkus.flyway.FlywayConfigurationCustomizer;

/**
 * Makes Flyway hold its migration lock as a session-level advisory lock instead of a
 * transactional one. With a transactional lock Flyway keeps a transaction open on a second
 * connection for the whole migrate, and CREATE INDEX CONCURRENTLY (V10) waits for every
 * transaction older than itself to end, Flyway's own included: the migration would hang. The
 * session lock (pg_try_advisory_lock, retried) still lets one replica migrate at a time.
 */
@Singleton
class MigrationLock implements FlywayConfigurationCustomizer {

    @Override
    public void customize(FluentConfiguration configuration) {
        configuration.configuration(Map.of("flyway.postgresql.transactional.lock", "false"));
    }
}
