-- ReadStatements.GET_EACH, the statement ReadCoalescer sends when GETs queue, for 8 random live keys.
-- Reported in keys/s (transactions x 8): the database's limit for reads the way the service sends them under load.
-- Written by bench/pgbench/generate.py from ReadStatements.java: edit the generator, not this file.
\set k0 random(0, :entries - 1)
\set k1 random(0, :entries - 1)
\set k2 random(0, :entries - 1)
\set k3 random(0, :entries - 1)
\set k4 random(0, :entries - 1)
\set k5 random(0, :entries - 1)
\set k6 random(0, :entries - 1)
\set k7 random(0, :entries - 1)
SELECT e.value::text, e.version, e.revision, e.fetched_at, e.expires_at, e.stale_until, now(),
       coalesce(e.tags @> ARRAY[E'pgcache\072negative'], false)
FROM unnest(CAST(ARRAY['bench', 'bench', 'bench', 'bench', 'bench', 'bench', 'bench', 'bench'] AS text[]), CAST(ARRAY['k' || CAST(:k0 AS text), 'k' || CAST(:k1 AS text), 'k' || CAST(:k2 AS text), 'k' || CAST(:k3 AS text), 'k' || CAST(:k4 AS text), 'k' || CAST(:k5 AS text), 'k' || CAST(:k6 AS text), 'k' || CAST(:k7 AS text)] AS text[])) WITH ORDINALITY AS k(namespace, cache_key, ord)
LEFT JOIN cache_entry e ON e.namespace = k.namespace COLLATE "C" AND e.cache_key = k.cache_key COLLATE "C"
    AND (e.expires_at IS NULL OR coalesce(e.stale_until, e.expires_at) > now())
ORDER BY k.ord;
