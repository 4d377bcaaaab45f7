-- The change triggers of V6 must fire for every change, or a replica's near cache keeps a copy the
-- table no longer has (docs/architecture.md, "Near cache"):
--
-- 1. ENABLE ALWAYS: a session with session_replication_role = replica (logical replication's apply
--    workers, pg_restore --disable-triggers, some migration tools) skips triggers that are merely
--    enabled; it fires ALWAYS triggers. The listener's heartbeat checks for 'A'.
--
-- 2. A DBA who disables a trigger, changes rows and enables it again inside one transaction leaves
--    nothing a heartbeat can see (it only sees committed catalog state). An event trigger on
--    ALTER TABLE of cache_entry announces "everything changed" in that same transaction, so every
--    replica empties its near cache when it commits. Creating an event trigger needs a superuser:
--    when the migration runs as an ordinary owner it is left out with a NOTICE, and
--    docs/operations.md says what that leaves open.

ALTER TABLE cache_entry ENABLE ALWAYS TRIGGER cache_entry_notify_update;
ALTER TABLE cache_entry ENABLE ALWAYS TRIGGER cache_entry_notify_delete;
ALTER TABLE cache_entry ENABLE ALWAYS TRIGGER cache_entry_notify_truncate;

CREATE FUNCTION notify_cache_entry_altered() RETURNS event_trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands()
               WHERE classid = CAST('pg_class' AS regclass) AND objid = to_regclass('cache_entry')) THEN
        PERFORM pg_notify('pgcache_changes', '{"all":true}');
    END IF;
END
$$;

COMMENT ON FUNCTION notify_cache_entry_altered() IS
    'pgcache: an ALTER TABLE of cache_entry (a trigger disabled and enabled again, say) empties every near cache. '
    'See docs/operations.md, "The near cache".';

DO $$
BEGIN
    EXECUTE format('CREATE EVENT TRIGGER %I ON ddl_command_end WHEN TAG IN (''ALTER TABLE'') '
                   'EXECUTE FUNCTION %I.notify_cache_entry_altered()',
                   current_schema() || '_cache_entry_altered', current_schema());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pgcache: no event trigger on ALTER TABLE cache_entry (needs a superuser); see docs/operations.md';
END
$$;
