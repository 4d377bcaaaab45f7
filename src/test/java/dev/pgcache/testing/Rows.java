package dev.pgcache.testing;

/** Bulk rows written straight into cache_entry with explicit timestamps, for purge tests. */
public final class Rows {

    private Rows() {
    }

    /** Rows whose stale window ended a minute ago: gone, waiting for purge. */
    public static void insertGone(String namespace, int count) {
        insert(namespace, "gone-", count, "now() - interval '2 minutes'", "now() - interval '1 minute'");
    }

    /** Rows that expired a minute ago but may be served stale for an hour more. */
    public static void insertStale(String namespace, int count) {
        insert(namespace, "stale-", count, "now() - interval '1 minute'", "now() + interval '1 hour'");
    }

    /** Rows fresh for an hour. */
    public static void insertFresh(String namespace, int count) {
        insert(namespace, "fresh-", count, "now() + interval '1 hour'", "NULL");
    }

    /**
     * Fresh rows that never expire, keys {@code aged-0001} (oldest) to {@code aged-<count>}
     * (newest), each fetched one second after the one before, ending a minute ago, each
     * {@code sizeBytes} large: for eviction tests that need a clear oldest-first order.
     */
    public static void insertAged(String namespace, int count, int sizeBytes) {
        TestDatabase.execute("INSERT INTO pgcache.cache_entry (namespace, cache_key, value, fetched_at, expires_at, stale_until, size_bytes) "
                + "SELECT ?, 'aged-' || lpad(i::text, 4, '0'), to_jsonb(i), now() - interval '1 minute' - make_interval(secs => ? - i), "
                + "NULL, NULL, ? FROM generate_series(1, ?) AS i", namespace, count, sizeBytes, count);
    }

    /** Deletes every row of the namespace, whatever its state. */
    public static void clear(String namespace) {
        TestDatabase.execute("DELETE FROM pgcache.cache_entry WHERE namespace = ?", namespace);
    }

    public static long count(String namespace) {
        try (var c = TestDatabase.connect(); var ps = c.prepareStatement("SELECT count(*) FROM pgcache.cache_entry WHERE namespace = ?")) {
            ps.setString(1, namespace);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // expiresAt and staleUntil are fixed SQL expressions chosen above, never caller text
    private static void insert(String namespace, String keyPrefix, int count, String expiresAt, String staleUntil) {
        TestDatabase.execute("INSERT INTO pgcache.cache_entry (namespace, cache_key, value, fetched_at, expires_at, stale_until, size_bytes) "
                + "SELECT ?, ? || i, to_jsonb(i), now() - interval '3 minutes', " + expiresAt + ", " + staleUntil + ", 4 "
                + "FROM generate_series(1, ?) AS i", namespace, keyPrefix, count);
    }

    /** Every row matching {@code where} (SQL over pgcache.cache_entry) as text, to compare the table before and after. */
    public static String snapshot(String where) throws java.sql.SQLException {
        StringBuilder b = new StringBuilder();
        try (java.sql.Connection c = TestDatabase.connect(); java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT namespace, cache_key, version, value::text, expires_at FROM pgcache.cache_entry "
                        + "WHERE " + where + " ORDER BY 1, 2")) {
            while (rs.next()) {
                b.append(rs.getString(1)).append('/').append(rs.getString(2)).append(' ').append(rs.getLong(3)).append(' ')
                        .append(rs.getString(4)).append(' ').append(rs.getString(5)).append('\n');
            }
        }
        return b.toString();
    }
}
