-- The statement EntryStore.get sends (EntryStore.GET), for a random live key.
\set k random(0, :entries - 1)
SELECT value::text, version, revision, fetched_at, expires_at, stale_until, now()
FROM pgcache.cache_entry
WHERE namespace = 'bench' AND cache_key = 'k' || :k AND (expires_at IS NULL OR coalesce(stale_until, expires_at) > now());
