-- Every committed change of a row that a replica may hold in its near cache is announced on the
-- channel pgcache_changes, whoever made it: pgcache's own statements, another application in the
-- same database, a DBA in psql. The replicas LISTEN and drop what changed (dev.pgcache.near;
-- docs/architecture.md, "Near cache"). PostgreSQL sends a notification only when the transaction
-- that made it commits, in commit order, so a rolled-back change announces nothing.
--
-- One notification per statement, not per row (statement-level triggers with a transition table):
-- a purge or an invalidation of thousands of rows costs one notification per namespace.
--
-- What is announced:
--   {"keys":[["namespace","key"],...]}  these rows changed or went away (up to 1000 per statement,
--                                        sent in chunks that stay under the 8000-byte payload limit)
--   {"namespaces":["namespace",...]}    more rows than that changed in these namespaces
--   {"all":true}                        the table was truncated
--
-- Only the rows as they were before the change matter (OLD TABLE): a near cache holds copies of
-- rows that existed, never of absent keys, so an INSERT makes no copy wrong and needs no trigger.
-- Rows already past their stale window (with a margin for the replicas' clock estimate) are left
-- out: no replica answers them from memory, and the purge deletes nothing else.
-- The hit flush updates only hit_count and last_hit_at, nothing a reader is answered with: it says
-- so with the transaction-local setting pgcache.change_origin = 'hit-count', and is not announced.

CREATE FUNCTION notify_cache_changes() RETURNS trigger
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
    SELECT count(*) INTO changed_keys FROM (
        SELECT 1 FROM changed
        WHERE expires_at IS NULL OR coalesce(stale_until, expires_at) > now() - interval '5 seconds'
        LIMIT 1001) AS c;
    IF changed_keys = 0 THEN
        RETURN NULL;
    END IF;
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

COMMENT ON FUNCTION notify_cache_changes() IS
    'pgcache: announces committed changes of cache_entry rows on channel pgcache_changes, so that every '
    'replica drops its in-memory copies. See docs/architecture.md, "Near cache".';

CREATE TRIGGER cache_entry_notify_update AFTER UPDATE ON cache_entry
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_changes();
CREATE TRIGGER cache_entry_notify_delete AFTER DELETE ON cache_entry
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_changes();
CREATE TRIGGER cache_entry_notify_truncate AFTER TRUNCATE ON cache_entry
    FOR EACH STATEMENT EXECUTE FUNCTION notify_cache_changes();
