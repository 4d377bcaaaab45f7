-- The change triggers write what changed to a change log that every replica follows, instead of
-- announcing it with pg_notify (V6, V14). A notifying commit takes a lock that is global to the
-- server (PreCommit_Notify) and holds it through its WAL flush, so commits that notify queue one
-- behind the other: PUTs ran at 0.90x of their rate without the triggers, and at 16 concurrent
-- writers 0.40x (docs/benchmarks.md). A row appended to an unlogged table takes no such lock and
-- writes no WAL.
--
-- A replica follows the log by transaction id (dev.pgcache.near.ChangeListener): each poll reads
-- the rows of the transactions its previous poll's snapshot could not see (xid >= that snapshot's
-- xmax, or in its list of running ones) and are visible now, and keeps the new snapshot. That
-- takes every committed change exactly once, in whatever order transactions commit, and nothing of
-- a transaction that rolled back. The payloads are V14's, unchanged:
--   {"keys":[["namespace","key"],...]}, {"namespaces":["namespace",...]}, {"all":true}
--
-- Unlogged: the log is only worth anything to the replicas connected now. A crash or a failover
-- empties it, and also ends every replica's connection, which empties its near cache before it
-- follows the log again. The replicas delete rows older than they need themselves
-- (pgcache.near-cache.max-lag, ten times over); emptying it by hand (TRUNCATE) is announced in it.
--
-- Anyone who may change cache_entry may append here (the trigger runs as the one who changes a
-- row): PUBLIC may INSERT, as anyone could pg_notify before. A row can only make replicas drop
-- copies, never serve anything.

CREATE UNLOGGED TABLE cache_change_log (
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    payload text NOT NULL
);
CREATE INDEX cache_change_log_xid ON cache_change_log (xid);
GRANT INSERT ON cache_change_log TO PUBLIC;

COMMENT ON TABLE cache_change_log IS
    'pgcache: what each committed transaction changed in cache_entry, as the change triggers write it; '
    'the replicas follow it by xid to drop their in-memory copies. See docs/architecture.md, "Near cache".';
COMMENT ON COLUMN cache_change_log.xid IS 'the transaction that made the change (pg_current_xact_id())';
COMMENT ON COLUMN cache_change_log.payload IS
    'JSON: {"keys":[[namespace,key],...]}, {"namespaces":[...]} or {"all":true}';

-- V14's function with INSERT INTO the log where it called pg_notify. The table is named with its
-- schema, fixed here, because a trigger runs with the search_path of whoever changes the row (a
-- SET search_path clause on the function would cost every call a configuration save and restore).
DO $do$
BEGIN
    EXECUTE format($body$
CREATE OR REPLACE FUNCTION notify_cache_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed_keys int;
    chunk text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO %1$I.cache_change_log (payload) VALUES ('{"all":true}');
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
        INSERT INTO %1$I.cache_change_log (payload) VALUES (chunk);
        RETURN NULL;
    END IF;
    SELECT count(*) INTO changed_keys FROM (
        SELECT 1 FROM changed
        WHERE expires_at IS NULL OR coalesce(stale_until, expires_at) > now() - interval '5 seconds'
        LIMIT 1001) AS c;
    IF changed_keys <= 1000 THEN
        INSERT INTO %1$I.cache_change_log (payload)
            SELECT '{"keys":' || json_agg(json_build_array(namespace, cache_key))::text || '}'
            FROM (SELECT namespace, cache_key,
                         sum(octet_length(to_json(namespace)::text) + octet_length(to_json(cache_key)::text) + 4)
                             OVER (ORDER BY namespace, cache_key ROWS UNBOUNDED PRECEDING) AS upto
                  FROM (SELECT DISTINCT namespace, cache_key FROM changed
                        WHERE expires_at IS NULL OR coalesce(stale_until, expires_at) > now() - interval '5 seconds') AS d
                 ) AS k
            GROUP BY upto / 4000;
    ELSE
        INSERT INTO %1$I.cache_change_log (payload)
            SELECT '{"namespaces":' || json_agg(namespace)::text || '}'
            FROM (SELECT namespace, row_number() OVER (ORDER BY namespace) AS n
                  FROM (SELECT DISTINCT namespace FROM changed) AS d) AS ns
            GROUP BY n / 80;
    END IF;
    RETURN NULL;
END
$$
$body$, current_schema());
END
$do$;

COMMENT ON FUNCTION notify_cache_changes() IS
    'pgcache: appends committed changes of cache_entry rows to cache_change_log, so that every '
    'replica drops its in-memory copies. See docs/architecture.md, "Near cache".';

CREATE OR REPLACE FUNCTION notify_cache_entry_altered() RETURNS event_trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands()
               WHERE classid = CAST('pg_class' AS regclass) AND objid = to_regclass('cache_entry')) THEN
        INSERT INTO cache_change_log (payload) VALUES ('{"all":true}');
    END IF;
END
$$;

-- Emptying the log by hand would hide the changes in it from a replica that has not read them yet:
-- the same statement tells every replica to drop everything.
CREATE FUNCTION announce_change_log_truncated() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO cache_change_log (payload) VALUES ('{"all":true}');
    RETURN NULL;
END
$$;
CREATE TRIGGER cache_change_log_truncate AFTER TRUNCATE ON cache_change_log
    FOR EACH STATEMENT EXECUTE FUNCTION announce_change_log_truncated();
ALTER TABLE cache_change_log ENABLE ALWAYS TRIGGER cache_change_log_truncate;

-- New names for the three change triggers, so that a replica still running the code before V15
-- (which listens for notifications that no longer come) stops answering from memory within
-- max-lag/4 during a rolling upgrade: its check looks for the old names, ENABLE ALWAYS, finds
-- none and answers from the table until it is replaced. A rename keeps ENABLE ALWAYS.
ALTER TRIGGER cache_entry_notify_update ON cache_entry RENAME TO cache_entry_log_update;
ALTER TRIGGER cache_entry_notify_delete ON cache_entry RENAME TO cache_entry_log_delete;
ALTER TRIGGER cache_entry_notify_truncate ON cache_entry RENAME TO cache_entry_log_truncate;
