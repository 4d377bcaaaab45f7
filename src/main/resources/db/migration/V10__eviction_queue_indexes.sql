-- pgcache schema, version 10: the indexes the eviction queue is read in (V9), replacing V2's
-- cache_entry_eviction_idx, which ordered by fetched_at alone.
--
-- CONCURRENTLY, so that on a table that already holds millions of rows the build blocks no
-- write (a plain CREATE INDEX holds a SHARE lock, which blocks every INSERT, UPDATE and DELETE
-- for the whole build). CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction: Flyway
-- sees that and runs this migration without one ([non-transactional] in its log), which is why
-- it holds nothing else, and why Flyway's lock must be a session lock rather than a
-- transactional one (entry.MigrationLock), or the build would wait for Flyway's own
-- transaction forever. If a build fails half-way, PostgreSQL leaves an INVALID index behind
-- that IF NOT EXISTS would keep: drop it (DROP INDEX CONCURRENTLY) and run the migration
-- again (docs/operations.md, "Migrations on a big table").
--
-- Per namespace: a namespace over its own bound is evicted in its queue order.
CREATE INDEX CONCURRENTLY IF NOT EXISTS cache_entry_queue_idx
    ON cache_entry (namespace, (coalesce(requeued_at, fetched_at)), cache_key);

-- The whole table: over pgcache.storage.max-entries or max-bytes, rows of every namespace
-- (declared or not) are evicted from one queue.
CREATE INDEX CONCURRENTLY IF NOT EXISTS cache_entry_table_queue_idx
    ON cache_entry ((coalesce(requeued_at, fetched_at)), namespace, cache_key);

DROP INDEX CONCURRENTLY IF EXISTS cache_entry_eviction_idx;
