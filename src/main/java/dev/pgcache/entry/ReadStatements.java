package dev.pgcache.entry;

import static dev.pgcache.entry.EntryStatements.LIVE;
import static dev.pgcache.entry.EntryStatements.LIVE_E;

/**
 * The SQL of reading entries: one key ({@link EntryStore#get}), many keys for an answer of
 * bounded size (batch-get), the single-key reads of concurrent GETs in one round trip
 * ({@link ReadCoalescer}) and a page of keys ({@link KeyListing}). One of the statement files of
 * this package ({@link EntryStatements} lists them and the rules they all keep).
 */
final class ReadStatements {

    private ReadStatements() {
    }

    static final String GET = """
            SELECT value::text, version, revision, fetched_at, expires_at, stale_until, now(), tags @> ARRAY['pgcache:negative']
            FROM cache_entry
            WHERE namespace = ? AND cache_key = ? AND\s""" + LIVE;

    /**
     * Many reads in one round trip for an answer of bounded size, answered in the order asked; a
     * missing or gone key comes back with a null version. Each key stands for {@code copies}
     * copies of its value in the answer. The values' bytes in the answer (size_bytes, an upper
     * bound of value::text, times the copies) are summed over all rows first, and the values come
     * back only when that sum is within the bound ({@code ?} first): an answer too large for the
     * caller's memory is found out without reading a value, its TOASTed bytes included (CASE
     * evaluates value::text only when it holds). The sum comes back in every row.
     */
    static final String BATCH_GET = """
            SELECT CASE WHEN coalesce(sum(CAST(e.size_bytes AS bigint) * k.copies) OVER (), 0) <= ? THEN e.value::text END,
                   e.version, e.revision, e.fetched_at, e.expires_at, e.stale_until, now(),
                   coalesce(e.tags @> ARRAY['pgcache:negative'], false),
                   coalesce(sum(CAST(e.size_bytes AS bigint) * k.copies) OVER (), 0)
            FROM unnest(CAST(? AS text[]), CAST(? AS int[])) WITH ORDINALITY AS k(cache_key, copies, ord)
            LEFT JOIN cache_entry e ON e.namespace = ? AND e.cache_key = k.cache_key COLLATE "C" AND\s""" + LIVE_E + """

            ORDER BY k.ord
            """;

    /**
     * Single-key reads of concurrent GETs in one round trip (see ReadCoalescer): the keys may be
     * in different namespaces; answered in the order asked, a missing or gone key with a null value.
     */
    static final String GET_EACH = """
            SELECT e.value::text, e.version, e.revision, e.fetched_at, e.expires_at, e.stale_until, now(),
                   coalesce(e.tags @> ARRAY['pgcache:negative'], false)
            FROM unnest(CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS k(namespace, cache_key, ord)
            LEFT JOIN cache_entry e ON e.namespace = k.namespace COLLATE "C" AND e.cache_key = k.cache_key COLLATE "C"
                AND\s""" + LIVE_E + """

            ORDER BY k.ord
            """;

    /** One page of live keys after a cursor, in key order; {@code %s} is LIST_* below, never caller text. Keyset paging stays stable under writes. */
    static final String LIST_KEYS = """
            SELECT cache_key, version, revision, fetched_at, expires_at, stale_until, size_bytes, tags, hit_count, now()
            FROM cache_entry e
            WHERE namespace = ? AND cache_key > ? %s AND\s""" + LIVE_E + """

            ORDER BY cache_key
            LIMIT ?
            """;
    static final String LIST_ALL = "";
    static final String LIST_PREFIX_RANGE = "AND cache_key >= ? AND cache_key < ?";
    static final String LIST_PREFIX_OPEN = "AND cache_key >= ?";
}
