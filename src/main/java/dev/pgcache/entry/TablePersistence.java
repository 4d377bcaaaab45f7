package dev.pgcache.entry;

import static dev.pgcache.entry.EntryStatements.*;
import static dev.pgcache.entry.MaintenanceStatements.*;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.pgcache.config.PgcacheConfig;
import io.quarkus.runtime.Startup;

/**
 * Makes cache_entry UNLOGGED or LOGGED at start when {@code pgcache.storage.unlogged} says so and
 * the table is not that already; leaves it as it is when the setting is absent (so a DBA's own
 * ALTER TABLE stands). An unlogged table writes no WAL for its rows: writes are cheaper, but
 * PostgreSQL empties it after a crash and does not replicate it (docs/operations.md, "Unlogged
 * table"). The change rewrites the table under an ACCESS EXCLUSIVE lock, bounded by
 * {@code pgcache.database.statement-timeout}: past it nothing changes and the start fails, saying
 * to run the ALTER TABLE by hand; replicas starting together take turns on an advisory lock, and
 * the second finds nothing left to do.
 */
@Startup
@ApplicationScoped
class TablePersistence {

    private static final Logger LOG = Logger.getLogger(TablePersistence.class);

    TablePersistence(Connections db, PgcacheConfig config) {
        config.storage().unlogged().ifPresent(unlogged -> apply(db, unlogged, config.purge().lockKey()));
    }

    private static void apply(Connections db, boolean unlogged, long lockKey) {
        try {
            // PERSISTENCE_LOCK waits for its lock and always answers true: the work always runs
            db.withConnection("table persistence", c -> db.underLock(c, PERSISTENCE_LOCK, new Object[] {lockKey}, tx -> {
                boolean isUnlogged;
                try (PreparedStatement ps = db.prepare(c, TABLE_UNLOGGED); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    isUnlogged = rs.getBoolean(1);
                }
                if (isUnlogged != unlogged) {
                    LOG.warnf("pgcache.storage.unlogged=%s: rewriting cache_entry as %s (ACCESS EXCLUSIVE lock until done)", unlogged,
                            unlogged ? "UNLOGGED" : "LOGGED");
                    try (PreparedStatement ps = db.prepare(c, unlogged ? SET_UNLOGGED : SET_LOGGED)) {
                        ps.execute();
                    }
                }
                return true;
            }));
        } catch (RuntimeException e) {
            throw new IllegalStateException("pgcache.storage.unlogged=" + unlogged + ": could not make cache_entry "
                    + (unlogged ? "UNLOGGED" : "LOGGED") + " (" + e.getMessage() + "); on a big table run ALTER TABLE by hand at a quiet "
                    + "moment (docs/operations.md, \"Unlogged table\"), or leave the setting out", e);
        }
    }
}
