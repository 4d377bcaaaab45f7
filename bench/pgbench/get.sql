-- The statement EntryStore.get sends (ReadStatements.GET), for a random live key.
-- Written by bench/pgbench/generate.py from ReadStatements.java: edit the generator, not this file.
\set k random(0, :entries - 1)
SELECT value::text, version, revision, fetched_at, expires_at, stale_until, now(), tags @> ARRAY[E'pgcache\072negative']
FROM cache_entry
WHERE namespace = 'bench' AND cache_key = 'k' || :k AND (expires_at IS NULL OR coalesce(stale_until, expires_at) > now());
