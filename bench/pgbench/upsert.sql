-- The statement EntryStore.upsert sends without a precondition (WriteStatements.UPSERT with
-- IF_NONE_MATCH_NONE), for a random existing key, with a value like the wrk scenario's, in a
-- namespace with durability=strict: committed waiting for the flush (COMMIT_DURABLY).
-- Written by bench/pgbench/generate.py from WriteStatements.java: edit the generator, not this file.
\set k random(0, :entries - 1)
WITH prior AS (
    SELECT version, revision, coalesce(stale_until, expires_at) <= now() AS gone
    FROM cache_entry WHERE namespace = 'bench' AND cache_key = 'k' || :k
), written AS (
    INSERT INTO cache_entry AS e (namespace, cache_key, value, fetched_at, expires_at, stale_until,
                                  version, revision, size_bytes, tags)
    VALUES ('bench', 'k' || :k, CAST('{"number":"0x121eac0","hash":"0xabababababababababababababababababababababababababababababababab","transactions":["0xcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"],"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}' AS jsonb), now(),
            now() + CAST(3600000 AS bigint) * interval '1 millisecond',
            now() + CAST(NULL AS bigint) * interval '1 millisecond',
            nextval('cache_entry_version_seq'), NULL, 800, CAST('{}' AS text[]))
    ON CONFLICT (namespace, cache_key) DO UPDATE SET
        value = EXCLUDED.value, fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at,
        stale_until = EXCLUDED.stale_until, version = nextval('cache_entry_version_seq'), revision = EXCLUDED.revision,
        size_bytes = EXCLUDED.size_bytes, tags = EXCLUDED.tags, hit_count = 0, last_hit_at = NULL, requeued_at = NULL
    WHERE coalesce(e.stale_until, e.expires_at) <= now() OR ((e.revision IS NULL OR EXCLUDED.revision IS NULL OR EXCLUDED.revision >= e.revision) )
    RETURNING e.version, (e.xmax = 0) AS inserted, e.fetched_at, e.expires_at, e.stale_until
)
SELECT w.version, w.inserted OR coalesce(p.gone, false), w.fetched_at, w.expires_at, w.stale_until,
       p.version, p.revision, p.gone
FROM (SELECT set_config('synchronous_commit',
    CASE current_setting('synchronous_commit') WHEN 'off' THEN 'on' ELSE current_setting('synchronous_commit') END, true)) AS durability LEFT JOIN written w ON true LEFT JOIN prior p ON true;
