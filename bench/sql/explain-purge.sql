-- The purge batch as EntryStore runs it, and as it was before (picked rows joined back on the
-- primary key), each with the generic plan the JDBC driver's server-side prepared statement
-- gets from its fifth run on. EXPLAIN ANALYZE really deletes: all in a transaction rolled back.
SET search_path = pgcache;
BEGIN;
PREPARE purge_batch(int) AS
    WITH deleted AS (
        DELETE FROM cache_entry WHERE ctid = ANY (ARRAY(
            SELECT ctid FROM cache_entry
            WHERE expires_at IS NOT NULL AND coalesce(stale_until, expires_at) <= now()
            ORDER BY coalesce(stale_until, expires_at)
            LIMIT $1 FOR UPDATE SKIP LOCKED))
        RETURNING namespace
    )
    SELECT namespace, count(*) FROM deleted CROSS JOIN (SELECT set_config('synchronous_commit', 'off', true)) AS durability GROUP BY namespace;
SET LOCAL plan_cache_mode = force_generic_plan;
\echo '--- purge batch as shipped (EntryStore.PURGE_BATCH), generic plan'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE purge_batch(1000);
PREPARE purge_batch_join(int) AS
    WITH doomed AS (
        SELECT namespace, cache_key FROM cache_entry
        WHERE expires_at IS NOT NULL AND coalesce(stale_until, expires_at) <= now()
        LIMIT $1 FOR UPDATE SKIP LOCKED
    ), deleted AS (
        DELETE FROM cache_entry e USING doomed
        WHERE e.namespace = doomed.namespace AND e.cache_key = doomed.cache_key
        RETURNING e.namespace
    )
    SELECT namespace, count(*) FROM deleted GROUP BY namespace;
\echo '--- the purge batch before: picked rows joined back on the primary key, no ORDER BY; generic plan'
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE purge_batch_join(1000);
ROLLBACK;
