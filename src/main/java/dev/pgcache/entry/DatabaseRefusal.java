package dev.pgcache.entry;

import java.sql.SQLException;
import java.util.Locale;

/**
 * Why the database did not serve a request, in words an operator can act on and a caller may
 * read: what a 503's detail, the readiness check and the start-up failure say. Taken from the
 * SQLSTATE of PostgreSQL's error (https://www.postgresql.org/docs/current/errcodes-appendix.html)
 * and from the pool's own two timeouts, which carry no SQLSTATE; the server's message is not
 * repeated, so no host, user name or other detail of the setup leaks to callers.
 *
 * @param cause  the sentence
 * @param sqlState PostgreSQL's SQLSTATE, or "" when the pool or the driver failed before the server answered
 */
public record DatabaseRefusal(String cause, String sqlState) {

    /** What the pool says when every connection stayed busy for the whole acquisition timeout. */
    private static final String POOL_EXHAUSTED = "sorry, acquisition timeout";
    /** What the pool says when a new connection could not be opened within the acquisition timeout. */
    private static final String NEW_CONNECTION_TIMEOUT = "acquisition timeout while waiting for new connection";

    public static final String UNKNOWN = "the database is unavailable or did not answer in time";

    /** The refusal behind t: the first SQLException in its chain of causes, or {@link #UNKNOWN}. */
    public static DatabaseRefusal of(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException e) {
                return of(e);
            }
            if (c instanceof DatabaseCredentials.Unreadable) {
                return new DatabaseRefusal("the database password file cannot be read (pgcache.database.password-file)", "");
            }
        }
        return new DatabaseRefusal(UNKNOWN, "");
    }

    public static DatabaseRefusal of(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = e.getMessage() == null ? "" : e.getMessage().toLowerCase(Locale.ROOT);
        return new DatabaseRefusal(cause(state, message), state);
    }

    private static String cause(String state, String message) {
        if (state.isEmpty() && message.contains(POOL_EXHAUSTED)) {
            return "this replica's database pool is exhausted: every connection stayed busy for the whole acquisition"
                    + " timeout (quarkus.datasource.jdbc.acquisition-timeout, max-size)";
        }
        if (state.isEmpty() && message.contains(NEW_CONNECTION_TIMEOUT)) {
            return "no new database connection could be opened within the acquisition timeout: PostgreSQL is slow to"
                    + " accept connections or unreachable";
        }
        if (state.equals("53300")) {
            return message.contains("reserved")
                    ? "PostgreSQL has no connection slot left for this service: max_connections is reached"
                            + " (the remaining slots are reserved for superusers) (SQLSTATE 53300)"
                    : "PostgreSQL has no connection slot left: max_connections is reached (too many clients) (SQLSTATE 53300)";
        }
        if (state.equals("28P01")) {
            return "PostgreSQL refused the service's password (SQLSTATE 28P01): it was changed or is wrong;"
                    + " give the service the current one (pgcache.database.password-file, docs/operations.md)";
        }
        if (state.startsWith("28")) {
            return "PostgreSQL refused the service's login (SQLSTATE " + state + "): no pg_hba.conf entry allows it,"
                    + " or the role may not log in";
        }
        if (state.equals("55000") && message.contains("not currently accepting connections")) {
            return "the database does not accept connections now (ALTER DATABASE … ALLOW_CONNECTIONS false) (SQLSTATE 55000)";
        }
        if (state.equals("3D000")) {
            return "the configured database does not exist (SQLSTATE 3D000)";
        }
        if (state.equals("57P03")) {
            return "PostgreSQL does not accept connections now: it is starting, shutting down or in recovery (SQLSTATE 57P03)";
        }
        if (state.startsWith("57P")) {
            return "PostgreSQL ended the connection: it was shut down or restarted (SQLSTATE " + state + ")";
        }
        if (state.startsWith("08")) {
            return "no connection to PostgreSQL: it is down, restarting or unreachable (SQLSTATE " + state + ")";
        }
        if (state.startsWith("53")) {
            return "PostgreSQL is out of a resource: memory or disk (SQLSTATE " + state + ")";
        }
        if (state.equals("57014")) {
            return "a statement ran past its time bound (pgcache.database.statement-timeout) (SQLSTATE 57014)";
        }
        if (state.equals("55P03")) {
            return "a row lock was not granted in time (pgcache.database.lock-timeout) (SQLSTATE 55P03)";
        }
        if (state.equals("40001") || state.equals("40P01")) {
            return "the statement lost a race with another one (serialization failure or deadlock, SQLSTATE " + state + ")";
        }
        return state.isEmpty() ? UNKNOWN : UNKNOWN + " (SQLSTATE " + state + ")";
    }
}
