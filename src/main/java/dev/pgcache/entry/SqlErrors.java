package dev.pgcache.entry;

import java.sql.SQLException;

import dev.pgcache.protocol.ProblemException;

/**
 * Sorts PostgreSQL errors into the caller's fault (bad value: 400), an outage or overload
 * (503, retry later) and everything else (a bug: 500). Classified by SQLSTATE, see
 * https://www.postgresql.org/docs/current/errcodes-appendix.html.
 */
final class SqlErrors {

    /**
     * read_only_sql_transaction: a write reached a server that cannot write. Behind a failover
     * manager that is a standby (a connection that followed an old address, or a pooler still
     * pointing at a demoted primary), so the database is unavailable for writes until the
     * connection is replaced, not the caller's or the service's fault.
     */
    private static final String READ_ONLY = "25006";

    private SqlErrors() {
    }

    /** Whether e, or what caused it, is PostgreSQL refusing a write because the server is read-only ({@link #READ_ONLY}). */
    static boolean onReadOnlyServer(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && READ_ONLY.equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    static RuntimeException translate(String action, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (isUnavailable(state)) {
            return new StoreUnavailableException("database unavailable during " + action + " (SQLSTATE " + state + ")", e);
        }
        if (state.startsWith("22")) {
            // data exception: the value itself cannot be stored, e.g. \u0000 in a jsonb string or a number past numeric's range
            return ProblemException.badRequest("invalid-value", "PostgreSQL cannot store this value: " + reason(state));
        }
        return new StoreException("database error during " + action + " (SQLSTATE " + state + ")", e);
    }

    private static boolean isUnavailable(String state) {
        return state.startsWith("08") // connection exception
                || state.startsWith("53") // insufficient resources: too many connections, out of memory, disk full
                || state.startsWith("57P") // admin/crash shutdown, cannot connect now
                || state.equals("57014") // statement timeout
                || state.equals("55P03") // lock timeout
                || state.equals("40001") || state.equals("40P01") // serialization failure, deadlock: safe to retry
                || state.equals(READ_ONLY) // a standby, or a primary being demoted: the primary is elsewhere now
                || state.isEmpty(); // no state: pool or driver failure before the server answered
    }

    /**
     * What is wrong with the value, in our words: the server's own message names internals (types,
     * functions, positions in a statement) that are not the caller's business.
     */
    private static String reason(String state) {
        return switch (state) {
            case "22P05", "22021" -> "a string holds a character jsonb cannot store (\\u0000, or an escape of a lone surrogate such as \\ud800)";
            case "22003" -> "a number is out of the range jsonb numbers can hold";
            case "22P02", "22025" -> "it is not JSON that jsonb accepts (check escapes in strings)";
            case "22001" -> "a text is longer than the column allows";
            default -> "PostgreSQL refused it as data (SQLSTATE " + state + ")";
        };
    }
}
