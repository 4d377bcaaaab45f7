package dev.pgcache.entry;

import static dev.pgcache.entry.EntryStatements.LIVE_E;

/**
 * The SQL of writing entries: insert or replace ({@link EntryStore#upsert}, with or without a
 * precondition), many upserts of one namespace in one statement (batch-put, and the PUTs
 * {@link WriteCoalescer} shares), and touch. Every write answers exactly one row per entry, with
 * the prior row for telling why a refused write was refused. One of the statement files of this
 * package ({@link EntryStatements} lists them and the rules they all keep).
 */
final class WriteStatements {

    private WriteStatements() {
    }

    /** The entry as it was before a write, for telling why a refused write was refused (and whether a write created). */
    static final String PRIOR = """
            prior AS (
                SELECT version, revision, coalesce(stale_until, expires_at) <= now() AS gone
                FROM cache_entry WHERE namespace = ? AND cache_key = ?
            )""";

    /**
     * Joins the write's RETURNING row (absent when refused) with the prior row, so every write
     * answers exactly one row. Its {@code %s} is COMMIT_NO_WAIT or COMMIT_DURABLY, the one
     * row everything else is joined to.
     */
    static final String WRITE_ANSWER = """
            SELECT w.version, w.inserted OR coalesce(p.gone, false), w.fetched_at, w.expires_at, w.stale_until,
                   p.version, p.revision, p.gone
            FROM %s AS durability LEFT JOIN written w ON true LEFT JOIN prior p ON true
            """;

    /**
     * How a write's transaction commits: a one-row FROM item of every write statement (the last
     * {@code %s} of UPSERT, REPLACE_IF_MATCH, BATCH_UPSERT and TOUCH), chosen by the namespace's
     * durability ({@link EntryStore} picks it). This one is a relaxed namespace's: synchronous_commit
     * off for the statement's own transaction (autocommit, or the load lock's transaction it runs in),
     * so the commit returns before its WAL is flushed. The setting ends with the transaction, so a
     * pooler in transaction mode can share the server connection, and it costs no round trip.
     */
    static final String COMMIT_NO_WAIT = "(SELECT set_config('synchronous_commit', 'off', true))";

    /**
     * A strict namespace's commit (see COMMIT_NO_WAIT), and every invalidation's: the transaction
     * commits with the session's synchronous_commit unless that is off, which becomes on, so the
     * commit returns once its WAL is flushed (and, with synchronous replication as configured, e.g.
     * remote_apply, replicated), and other sessions see the write only then. A server, database or
     * role whose default is off does not silently weaken what a strict 2xx promises. Concurrent
     * commits share a flush (group commit).
     *
     * <p>Until 2026-12-01 a strict write committed without waiting too and was answered after a
     * second transaction, a flush barrier, had: the near cache's triggers then called pg_notify,
     * whose server-wide lock a commit holds through its flush (async.c, PreCommit_Notify), and
     * waiting outside that lock let notifying commits through more than one per flush. Since
     * migration V15 the triggers append to a change log and take no such lock; the synchronous
     * commit saves the barrier's round trip and WAL record and measured 1.09-1.15x the barrier's
     * PUTs/s, on 20 hot keys as on 10,000 (docs/benchmarks.md, "PUT by durability level").
     */
    static final String COMMIT_DURABLY = """
            (SELECT set_config('synchronous_commit',
                CASE current_setting('synchronous_commit') WHEN 'off' THEN 'on' ELSE current_setting('synchronous_commit') END, true))""";

    /**
     * A live stored entry with a higher revision refuses the write; equal or higher wins. A gone
     * entry refuses nothing. Evaluated on the row as locked by ON CONFLICT / UPDATE, so it holds
     * under concurrent writers.
     */
    static final String REVISION_GUARD = "(e.revision IS NULL OR EXCLUDED.revision IS NULL OR EXCLUDED.revision >= e.revision)";
    static final String GONE_E = "coalesce(e.stale_until, e.expires_at) <= now()";

    /**
     * Insert or replace; the first {@code %s} is one of the IF_NONE_MATCH_* fragments, the second
     * COMMIT_NO_WAIT or COMMIT_DURABLY, never caller text.
     * The replacing branch draws its version in SET, after the row lock is held, so a key's
     * versions rise in commit order (a version drawn in VALUES would predate the lock wait).
     */
    static final String UPSERT = "WITH " + PRIOR + """
            , written AS (
                INSERT INTO cache_entry AS e (namespace, cache_key, value, fetched_at, expires_at, stale_until,
                                              version, revision, size_bytes, tags)
                VALUES (?, ?, CAST(? AS jsonb), now(),
                        now() + CAST(? AS bigint) * interval '1 millisecond',
                        now() + CAST(? AS bigint) * interval '1 millisecond',
                        nextval('cache_entry_version_seq'), ?, ?, CAST(? AS text[]))
                ON CONFLICT (namespace, cache_key) DO UPDATE SET
                    value = EXCLUDED.value, fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at,
                    stale_until = EXCLUDED.stale_until, version = nextval('cache_entry_version_seq'), revision = EXCLUDED.revision,
                    size_bytes = EXCLUDED.size_bytes, tags = EXCLUDED.tags, hit_count = 0, last_hit_at = NULL, requeued_at = NULL
                WHERE\s""" + GONE_E + " OR (" + REVISION_GUARD + """
             %s)
                RETURNING e.version, (e.xmax = 0) AS inserted, e.fetched_at, e.expires_at, e.stale_until
            )
            """ + WRITE_ANSWER;
    static final String IF_NONE_MATCH_NONE = "";
    static final String IF_NONE_MATCH_ANY = "AND false";
    static final String IF_NONE_MATCH_VERSIONS = "AND e.version <> ALL(CAST(? AS bigint[]))";

    /** Replace only a live entry (If-Match); the first {@code %s} is IF_MATCH_ANY or IF_MATCH_VERSIONS, the second the commit fragment (COMMIT_NO_WAIT or COMMIT_DURABLY). */
    static final String REPLACE_IF_MATCH = "WITH " + PRIOR + """
            , written AS (
                UPDATE cache_entry AS e SET
                    value = CAST(? AS jsonb), fetched_at = now(),
                    expires_at = now() + CAST(? AS bigint) * interval '1 millisecond',
                    stale_until = now() + CAST(? AS bigint) * interval '1 millisecond',
                    version = nextval('cache_entry_version_seq'), revision = CAST(? AS bigint), size_bytes = ?,
                    tags = CAST(? AS text[]), hit_count = 0, last_hit_at = NULL, requeued_at = NULL
                WHERE e.namespace = ? AND e.cache_key = ? AND\s""" + LIVE_E + """
                  AND (e.revision IS NULL OR CAST(? AS bigint) IS NULL OR CAST(? AS bigint) >= e.revision) %s
                RETURNING e.version, false AS inserted, e.fetched_at, e.expires_at, e.stale_until
            )
            """ + WRITE_ANSWER;
    static final String IF_MATCH_ANY = "";
    static final String IF_MATCH_VERSIONS = "AND e.version = ANY(CAST(? AS bigint[]))";

    /** Many upserts of one namespace in one statement; answers one row per input, in input order, refused ones with a null version; {@code %s} is the commit fragment (COMMIT_NO_WAIT or COMMIT_DURABLY). */
    static final String BATCH_UPSERT = """
            WITH input AS (
                SELECT * FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS bigint[]),
                                     CAST(? AS bigint[]), CAST(? AS int[]), CAST(? AS text[]))
                    WITH ORDINALITY AS u(cache_key, value, expires_ms, stale_until_ms, revision, size_bytes, tags_json, ord)
            ), prior AS (
                SELECT e.cache_key, e.revision, coalesce(e.stale_until, e.expires_at) <= now() AS gone
                FROM cache_entry e JOIN input i ON e.namespace = ? AND e.cache_key = i.cache_key COLLATE "C"
            ), written AS (
                INSERT INTO cache_entry AS e (namespace, cache_key, value, fetched_at, expires_at, stale_until,
                                              version, revision, size_bytes, tags)
                SELECT ?, i.cache_key, CAST(i.value AS jsonb), now(),
                       now() + i.expires_ms * interval '1 millisecond',
                       now() + i.stale_until_ms * interval '1 millisecond',
                       nextval('cache_entry_version_seq'), i.revision, i.size_bytes,
                       ARRAY(SELECT jsonb_array_elements_text(CAST(i.tags_json AS jsonb)))
                FROM input i ORDER BY i.ord
                ON CONFLICT (namespace, cache_key) DO UPDATE SET
                    value = EXCLUDED.value, fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at,
                    stale_until = EXCLUDED.stale_until, version = nextval('cache_entry_version_seq'), revision = EXCLUDED.revision,
                    size_bytes = EXCLUDED.size_bytes, tags = EXCLUDED.tags, hit_count = 0, last_hit_at = NULL, requeued_at = NULL
                WHERE\s""" + GONE_E + " OR " + REVISION_GUARD + """

                RETURNING e.cache_key, e.version, (e.xmax = 0) AS inserted, e.fetched_at, e.expires_at, e.stale_until
            )
            SELECT i.cache_key, w.version, w.inserted OR coalesce(p.gone, false), w.fetched_at, w.expires_at, w.stale_until,
                   CASE WHEN coalesce(p.gone, true) THEN NULL ELSE p.revision END
            FROM %s AS durability CROSS JOIN input i
            LEFT JOIN written w ON w.cache_key = i.cache_key COLLATE "C"
            LEFT JOIN prior p ON p.cache_key = i.cache_key COLLATE "C"
            ORDER BY i.ord
            """;

    /** Extends a live entry's life without rewriting its value; the version stays, since the value did not change; {@code %s} is the commit fragment (COMMIT_NO_WAIT or COMMIT_DURABLY). */
    static final String TOUCH = """
            UPDATE cache_entry AS e SET
                expires_at = now() + CAST(? AS bigint) * interval '1 millisecond',
                stale_until = now() + CAST(? AS bigint) * interval '1 millisecond'
            FROM %s AS durability
            WHERE e.namespace = ? AND e.cache_key = ? AND\s""" + LIVE_E + """

            RETURNING e.version, e.fetched_at, e.expires_at, e.stale_until
            """;
}
