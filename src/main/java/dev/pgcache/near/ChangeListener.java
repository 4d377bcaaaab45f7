package dev.pgcache.near;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.Properties;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.DatabaseCredentials;
import dev.pgcache.entry.EntryId;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * One connection per replica that follows the change log (cache_change_log, migration V15) and
 * drops what its rows name from the {@link NearCache}; on its own thread, outside the pool.
 *
 * <p>It follows the log by transaction id, not by position: each poll reads the rows of the
 * transactions that the previous poll's snapshot could not see (xid at or past its xmax, or among
 * its running ones) and that are visible now, and keeps the poll's own snapshot for the next one.
 * So every committed change is applied once, whatever order transactions commit in, and nothing
 * of one that rolled back. A poll's snapshot is taken after it was sent, so once its rows are
 * applied every change committed before it was sent has been: that is the proof
 * {@link NearCache#serving()} asks for ({@link NearCache#confirm}). Every {@code max-lag}/4 the
 * listener also reads the database's clock ({@link DatabaseClock}) and checks that the change
 * triggers are enabled ALWAYS (V8: they fire under session_replication_role = replica too); a DBA
 * may disable them, and the replica then serves nothing from memory. Once a second it deletes
 * the log's rows that no replica can still need (older than ten times max-lag).
 * When the connection fails, is killed, or falls behind (a poll that took, or came, more than
 * twice max-lag after the one before), the near cache is emptied and closed until a new
 * connection follows the log from a fresh snapshot.
 */
@ApplicationScoped
class ChangeListener {

    private static final Logger LOG = Logger.getLogger(ChangeListener.class);
    private static final String[] TRIGGERS = { "cache_entry_log_update", "cache_entry_log_delete", "cache_entry_log_truncate" };
    private static final String SNAPSHOT = "SELECT CAST(pg_current_snapshot() AS text)";
    /**
     * One statement, so one snapshot: pg_current_snapshot() is the snapshot the statement reads
     * the log with. The two halves are disjoint (every running xid is below xmax), and each is an
     * index scan on cache_change_log_xid. At most {@link #POLL_BUDGET_BYTES} of payloads come
     * back: past that the second column is null, and the replica drops everything instead (a
     * transaction that invalidated millions of keys one statement at a time, or a row written
     * by hand, must not fill the replica's heap; dropping too much is safe).
     */
    private static final String POLL = """
            WITH changes AS (
                SELECT payload FROM %1$s.cache_change_log WHERE xid >= CAST(? AS xid8)
                UNION ALL
                SELECT payload FROM %1$s.cache_change_log WHERE xid = ANY (CAST(CAST(? AS text) AS xid8[])))
            SELECT CAST(pg_current_snapshot() AS text),
                   CASE WHEN t.bytes > %2$d THEN NULL ELSE ARRAY(SELECT payload FROM changes) END
            FROM (SELECT coalesce(sum(octet_length(payload)), 0) AS bytes FROM changes) AS t
            """;
    /** What one poll reads of the log at most (octet_length of the payloads). */
    static final int POLL_BUDGET_BYTES = 4 * 1024 * 1024;
    private static final String CHECK = """
            SELECT clock_timestamp(),
                   (SELECT count(*) FROM pg_trigger
                    WHERE tgrelid = to_regclass(quote_ident(?) || '.cache_entry')
                      AND tgname = ANY (CAST(? AS text[])) AND tgenabled = 'A')
            """;
    /**
     * At most {@link #PRUNE_BATCH} rows a pass, so one pass stays short even when the log grew while no
     * replica ran (an application invalidating through the SQL functions meanwhile); a second
     * replica pruning at once waits for the first's rows and skips them.
     */
    private static final String PRUNE = """
            DELETE FROM %1$s.cache_change_log WHERE ctid = ANY (ARRAY(
                SELECT ctid FROM %1$s.cache_change_log WHERE xid < CAST(? AS xid8) LIMIT %2$d))
            """;
    private static final long MAX_BACKOFF_MILLIS = 2_000;
    private static final long PRUNE_EVERY_NANOS = 1_000_000_000L;
    private static final int PRUNE_BATCH = 50_000;

    private final NearCache near;
    private final DatabaseClock clock;
    private final NearCacheMeters meters;
    private final String url;
    private final String user;
    private final DatabaseCredentials credentials;
    private final String schema;
    private final boolean enabled;
    private final long pollNanos;
    private final long checkNanos;
    private final long behindNanos;
    private final long retentionNanos;

    private volatile boolean running;
    private volatile Connection current;
    private Thread thread;

    ChangeListener(NearCache near, DatabaseClock clock, NearCacheMeters meters, PgcacheConfig config,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String datasourceUrl,
            @ConfigProperty(name = "quarkus.datasource.username", defaultValue = "postgres") String user,
            DatabaseCredentials credentials,
            @ConfigProperty(name = "quarkus.flyway.schemas", defaultValue = "pgcache") String schemas) {
        this.near = near;
        this.clock = clock;
        this.meters = meters;
        this.url = config.nearCache().listenJdbcUrl().orElse(datasourceUrl);
        this.user = user;
        this.credentials = credentials;
        this.schema = schemas.split(",")[0].trim();
        this.enabled = config.nearCache().enabled();
        long maxLag = config.nearCache().maxLag().toNanos();
        this.pollNanos = Math.max(1_000_000L, Math.min(config.nearCache().pollInterval().toNanos(), maxLag / 4));
        this.checkNanos = Math.max(maxLag / 4, 5_000_000L);
        this.behindNanos = 2 * maxLag;
        this.retentionNanos = 10 * maxLag;
    }

    /** Starts the listener's thread; everything else (the near cache, its meters, the connection) is made there, off the start-up path. */
    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("pgcache-near-listener").start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        Connection c = current;
        if (c != null) {
            try {
                c.close(); // ends a poll in progress
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(2_000); // it empties the near cache on its way out: while the beans are still there
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        long backoff = 50;
        boolean failing = false;
        while (running) {
            try (Connection c = connect()) {
                current = c;
                if (failing) {
                    LOG.info("near cache: following changes again");
                    failing = false;
                }
                backoff = 50;
                follow(c);
            } catch (SQLException | RuntimeException e) {
                if (running && !failing) {
                    LOG.warnf("near cache: not following changes (%s); answering from the table until it follows them again",
                            e.getMessage());
                    failing = true;
                }
            } finally {
                current = null;
                near.deaf();
                meters.listening(false);
            }
            if (running) {
                meters.reconnect();
                sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        credentials.password().ifPresent(pw -> p.setProperty("password", pw)); // read again each time: it may have been rotated
        p.setProperty("ApplicationName", "pgcache-near-listener");
        p.setProperty("connectTimeout", "3");
        p.setProperty("loginTimeout", "5");
        p.setProperty("socketTimeout", "10");
        p.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(url, p);
    }

    /** A snapshot as pg_current_snapshot() prints it, xmin:xmax:xip,...: what the next poll asks after. */
    record Snapshot(String xmin, String xmax, String xip) {
        static Snapshot parse(String text) {
            String[] parts = text.split(":", 3);
            return new Snapshot(parts[0], parts[1], "{" + parts[2] + "}");
        }
    }

    /** A snapshot's xmin and when it was taken: rows below it may go once no replica can need them. */
    private record Horizon(long takenNanos, String xmin) {
    }

    private void follow(Connection c) throws SQLException {
        Snapshot seen;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SNAPSHOT)) {
            rs.next();
            seen = Snapshot.parse(rs.getString(1));
        }
        // every change this replica's reads from now on cannot see is at or past that snapshot
        ArrayDeque<Horizon> horizons = new ArrayDeque<>();
        long lastPolled = System.nanoTime();
        long lastChecked = lastPolled - checkNanos;
        long lastPruned = lastPolled;
        boolean trusted = false;
        try (PreparedStatement poll = c.prepareStatement(POLL.formatted(quoted(schema), POLL_BUDGET_BYTES));
                PreparedStatement check = c.prepareStatement(CHECK);
                PreparedStatement prune = c.prepareStatement(PRUNE.formatted(quoted(schema), PRUNE_BATCH))) {
            while (running) {
                long now = System.nanoTime();
                if (now - lastChecked >= checkNanos) {
                    boolean triggersOn = check(check);
                    lastChecked = now;
                    if (triggersOn && !trusted) {
                        near.listening(); // everything kept so far is dropped; copies from now on are followed
                        meters.listening(true);
                        trusted = true;
                    } else if (!triggersOn && trusted) {
                        LOG.warn("near cache: the change triggers on cache_entry are not all ENABLE ALWAYS; answering from the table");
                        near.deaf();
                        meters.listening(false);
                        trusted = false;
                    }
                }
                long sent = System.nanoTime();
                if (sent - lastPolled > behindNanos) {
                    throw new SQLException("fell behind: " + (sent - lastPolled) / 1_000_000 + " ms since the last poll of the change log");
                }
                seen = poll(poll, seen);
                long done = System.nanoTime();
                if (done - sent > behindNanos) {
                    throw new SQLException("fell behind: a poll of the change log took " + (done - sent) / 1_000_000 + " ms");
                }
                lastPolled = sent;
                if (trusted) {
                    near.confirm(sent);
                }
                if (done - lastPruned >= PRUNE_EVERY_NANOS) {
                    horizons.add(new Horizon(done, seen.xmin()));
                    prune(prune, horizons, done);
                    lastPruned = done;
                }
                sleep(Math.max(0, (pollNanos - (System.nanoTime() - sent)) / 1_000_000));
            }
        }
    }

    /** Applies the changes committed since {@code seen} and answers the poll's own snapshot. */
    private Snapshot poll(PreparedStatement poll, Snapshot seen) throws SQLException {
        poll.setString(1, seen.xmax());
        poll.setString(2, seen.xip());
        try (ResultSet rs = poll.executeQuery()) {
            rs.next();
            Snapshot next = Snapshot.parse(rs.getString(1));
            Array payloads = rs.getArray(2);
            if (payloads == null) {
                LOG.warnf("near cache: more than %d bytes of changes in one poll of the change log; dropping every copy", POLL_BUDGET_BYTES);
                apply(ChangeMessage.ALL);
                return next;
            }
            for (Object payload : (Object[]) payloads.getArray()) {
                apply(ChangeMessage.parse((String) payload));
            }
            payloads.free();
            return next;
        }
    }

    /**
     * Deletes the rows of transactions that had ended before a snapshot taken more than the
     * retention ago. Another replica still following asks only after its own last snapshot, at
     * most twice max-lag old (or it starts over), so it never needs those rows.
     */
    private void prune(PreparedStatement prune, ArrayDeque<Horizon> horizons, long now) throws SQLException {
        Horizon below = null;
        while (!horizons.isEmpty() && now - horizons.peek().takenNanos() >= retentionNanos) {
            below = horizons.poll();
        }
        if (below != null) {
            prune.setString(1, below.xmin());
            prune.executeUpdate(); // what is left below it goes at the next pass, below a later horizon
        }
    }

    /** Reads the clock; returns whether all change triggers are enabled ALWAYS. */
    private boolean check(PreparedStatement check) throws SQLException {
        Instant sentAt = Instant.now();
        check.setString(1, schema);
        check.setArray(2, check.getConnection().createArrayOf("text", TRIGGERS));
        try (ResultSet rs = check.executeQuery()) {
            rs.next();
            Instant received = Instant.now();
            clock.sample(sentAt, rs.getObject(1, OffsetDateTime.class).toInstant(), received);
            return rs.getInt(2) == TRIGGERS.length;
        }
    }

    private static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private void apply(ChangeMessage m) {
        if (m.all()) {
            near.dropAll();
            meters.dropped("all", 1);
            return;
        }
        for (String namespace : m.namespaces()) {
            near.dropNamespace(namespace);
        }
        for (EntryId id : m.keys()) {
            near.dropKey(id);
        }
        meters.dropped("namespace", m.namespaces().size());
        meters.dropped("key", m.keys().size());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
