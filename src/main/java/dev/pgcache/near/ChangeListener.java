package dev.pgcache.near;

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
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.DatabaseCredentials;
import dev.pgcache.entry.EntryId;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * One connection per replica that LISTENs on pgcache_changes and drops what the notifications
 * name from the {@link NearCache}; on its own thread, outside the pool, because a LISTEN belongs
 * to a session.
 *
 * <p>It never lets a change go unnoticed: every {@code max-lag}/4 it sends a heartbeat, a
 * notification to a channel of its own. PostgreSQL queues notifications in commit order and
 * delivers them in that order, so when the heartbeat comes back, every change committed before
 * it was sent has been applied: that is the proof {@link NearCache#serving()} asks for. The same
 * statement reads the database's clock ({@link DatabaseClock}) and checks that the change
 * triggers are enabled ALWAYS (V8: they fire under session_replication_role = replica too); a DBA
 * may disable them, and the replica then serves nothing from memory.
 * When the connection fails, is killed, or falls behind (a heartbeat unanswered for twice
 * max-lag), the near cache is emptied and closed until a new connection listens.
 */
@ApplicationScoped
class ChangeListener {

    private static final Logger LOG = Logger.getLogger(ChangeListener.class);
    private static final String[] TRIGGERS = { "cache_entry_notify_update", "cache_entry_notify_delete", "cache_entry_notify_truncate" };
    private static final String BEAT = """
            SELECT pg_notify(?, ?), clock_timestamp(),
                   (SELECT count(*) FROM pg_trigger
                    WHERE tgrelid = to_regclass(quote_ident(?) || '.cache_entry')
                      AND tgname = ANY (CAST(? AS text[])) AND tgenabled = 'A')
            """;
    private static final long MAX_BACKOFF_MILLIS = 2_000;

    private final NearCache near;
    private final DatabaseClock clock;
    private final NearCacheMeters meters;
    private final String url;
    private final String user;
    private final DatabaseCredentials credentials;
    private final String schema;
    private final boolean enabled;
    private final long beatNanos;
    private final long behindNanos;

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
        this.beatNanos = Math.max(maxLag / 4, 5_000_000L);
        this.behindNanos = 2 * maxLag;
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
                c.close(); // unblocks the thread's wait for notifications
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
                    LOG.info("near cache: listening again for changes");
                    failing = false;
                }
                backoff = 50;
                listen(c);
            } catch (SQLException | RuntimeException e) {
                if (running && !failing) {
                    LOG.warnf("near cache: not listening for changes (%s); answering from the table until it listens again",
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

    /** A beat sent and not yet seen back. */
    private record Beat(long sequence, long sentNanos, Instant sentAt) {
    }

    private void listen(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        String beatChannel;
        try (Statement s = c.createStatement()) {
            s.execute("LISTEN " + ChangeMessage.CHANNEL);
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                beatChannel = "pgcache_beat_" + rs.getInt(1); // an identifier made of a number only
            }
            s.execute("LISTEN " + beatChannel);
        }
        ArrayDeque<Beat> unanswered = new ArrayDeque<>();
        long sequence = 0;
        long lastSent = System.nanoTime() - beatNanos;
        boolean trusted = false;
        try (PreparedStatement beat = c.prepareStatement(BEAT)) {
            while (running) {
                long now = System.nanoTime();
                if (now - lastSent >= beatNanos) {
                    Beat b = new Beat(++sequence, now, Instant.now());
                    boolean triggersOn = sendBeat(beat, beatChannel, b);
                    lastSent = now;
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
                    if (trusted) {
                        unanswered.add(b);
                    }
                }
                Beat oldest = unanswered.peek();
                if (oldest != null && System.nanoTime() - oldest.sentNanos() > behindNanos) {
                    throw new SQLException("fell behind: a heartbeat unanswered for " + behindNanos / 1_000_000 + " ms");
                }
                long waitMillis = Math.max(1, (beatNanos - (System.nanoTime() - lastSent)) / 1_000_000);
                PGNotification[] received = pg.getNotifications((int) Math.min(waitMillis, Integer.MAX_VALUE));
                if (received != null) {
                    for (PGNotification n : received) {
                        if (n.getName().equals(ChangeMessage.CHANNEL)) {
                            apply(ChangeMessage.parse(n.getParameter()));
                        } else if (n.getName().equals(beatChannel)) {
                            answered(unanswered, n.getParameter());
                        }
                    }
                }
            }
        }
    }

    /** Sends one beat and reads the clock; returns whether all change triggers are enabled ALWAYS. */
    private boolean sendBeat(PreparedStatement beat, String channel, Beat b) throws SQLException {
        beat.setString(1, channel);
        beat.setString(2, Long.toString(b.sequence()));
        beat.setString(3, schema);
        beat.setArray(4, beat.getConnection().createArrayOf("text", TRIGGERS));
        try (ResultSet rs = beat.executeQuery()) {
            rs.next();
            Instant received = Instant.now();
            clock.sample(b.sentAt(), rs.getObject(2, OffsetDateTime.class).toInstant(), received);
            return rs.getInt(3) == TRIGGERS.length;
        }
    }

    private void answered(ArrayDeque<Beat> unanswered, String payload) {
        long sequence;
        try {
            sequence = Long.parseLong(payload);
        } catch (NumberFormatException e) {
            return;
        }
        while (!unanswered.isEmpty() && unanswered.peek().sequence() <= sequence) {
            Beat b = unanswered.poll();
            if (b.sequence() == sequence) {
                near.confirm(b.sentNanos());
            }
        }
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
