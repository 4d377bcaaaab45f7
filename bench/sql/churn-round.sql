-- One churn round: rewrites :rewrites existing live keys (a new value and fetched_at, as a PUT
-- does, hit counts back to 0) and writes :inserts new keys that expire within a second, with
-- no stale window, so they are gone by the time the round's purge runs.
SET synchronous_commit = off;
INSERT INTO pgcache.cache_entry AS e (namespace, cache_key, value, fetched_at, expires_at, stale_until, size_bytes)
SELECT 'bench' || (i % 4), 'k' || i, jsonb_build_object('number', i, 'round', :round, 'hash', md5(i::text || :round)),
       now(), now() + interval '1 day', now() + interval '2 days', 80
-- n -> n * 7919 mod :rows is one-to-one (7919 is prime to :rows), so no key comes twice in the statement;
-- keys with i % 5 = 0 were the gone rows, purged already
FROM generate_series(1, :rewrites) AS g(n), LATERAL (SELECT (n::bigint * 7919 + :round * 104729) % :rows + 1 AS i) AS k
WHERE i % 5 <> 0
ON CONFLICT (namespace, cache_key) DO UPDATE SET
    value = EXCLUDED.value, fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at,
    stale_until = EXCLUDED.stale_until, version = nextval('pgcache.cache_entry_version_seq'),
    size_bytes = EXCLUDED.size_bytes, hit_count = 0, last_hit_at = NULL;
INSERT INTO pgcache.cache_entry (namespace, cache_key, value, fetched_at, expires_at, stale_until, size_bytes)
SELECT 'churn', 'r' || :round || '-' || n, jsonb_build_object('n', n, 'payload', md5(n::text) || md5(n::text || 'x') || md5(n::text || 'y')),
       now(), now() + interval '500 milliseconds', NULL, 120
FROM generate_series(1, :inserts) AS n;
