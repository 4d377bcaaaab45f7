-- The change trigger of V6 (notify_cache_changes), cheaper for the statements that make up nearly
-- all of a cache's writes: a PUT, or a few dozen coalesced PUTs in one statement. V6 read the
-- transition table twice (a count, then keys sorted and summed by a window function to cut
-- payloads) for every statement; now one pass over at most 101 of its live rows builds the
-- payload, and when those are at most 100 keys whose payload fits PostgreSQL's 8000-byte limit
-- it is sent as it is. Only larger statements (an invalidation, a purge batch, very long keys)
-- take V6's path, unchanged. Measured with pgbench on 8-row upserts: docs/benchmarks.md.
-- The payloads are the same as V6's: {"keys":[...]}, {"namespaces":[...]}, {"all":true}.

CREATE OR REPLACE FUNCTION notify_cache_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed_keys int;
    chunk text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('pgcache_changes', '{"all":true}');
        RETURN NULL;
    END IF;
    IF current_setting('pgcache.change_origin', true) = 'hit-count' THEN
        RETURN NULL;
    END IF;
    -- a row appears once in a statement's transition table (a statement changes a row at most
    -- once), so these keys are distinct
    SELECT count(*), '{"keys":' || json_agg(json_build_array(namespace, cache_key))::text || '}'
      INTO changed_keys, chunk
      FROM (SELECT namespace, cache_key FROM changed
            WHERE expires_at IS NULL OR coalesce(stale_until, expires_at) > now() - interval '5 seconds'
            LIMIT 101) AS c;
    IF changed_keys = 0 THEN
        RETURN NULL;
    END IF;
    IF changed_keys <= 100 AND octet_length(chunk) < 8000 THEN
        PERFORM pg_notify('pgcache_changes', chunk);
        RETURN NULL;
    END IF;
    SELECT count(*) INTO changed_keys FROM (
        SELECT 1 FROM changed
        WHERE expires_at IS NULL OR coalesce(stale_until, expires_at) > now() - interval '5 seconds'
        LIMIT 1001) AS c;
    IF changed_keys <= 1000 THEN
        -- chunks of under 4000 bytes of keys each, plus at most one key (a key of 512 bytes is at
        -- most 3072 bytes as JSON): every payload stays under 8000 bytes
        FOR chunk IN
            SELECT '{"keys":' || json_agg(json_build_array(namespace, cache_key))::text || '}'
            FROM (SELECT namespace, cache_key,
                         sum(octet_length(to_json(namespace)::text) + octet_length(to_json(cache_key)::text) + 4)
                             OVER (ORDER BY namespace, cache_key ROWS UNBOUNDED PRECEDING) AS upto
                  FROM (SELECT DISTINCT namespace, cache_key FROM changed
                        WHERE expires_at IS NULL OR coalesce(stale_until, expires_at) > now() - interval '5 seconds') AS d
                 ) AS k
            GROUP BY upto / 4000
        LOOP
            PERFORM pg_notify('pgcache_changes', chunk);
        END LOOP;
    ELSE
        FOR chunk IN
            SELECT '{"namespaces":' || json_agg(namespace)::text || '}'
            FROM (SELECT namespace, row_number() OVER (ORDER BY namespace) AS n
                  FROM (SELECT DISTINCT namespace FROM changed) AS d) AS ns
            GROUP BY n / 80
        LOOP
            PERFORM pg_notify('pgcache_changes', chunk);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;
