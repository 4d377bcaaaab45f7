-- pgcache schema, version 9: the eviction queue's second chance (pgcache.storage.eviction-policy,
-- docs/architecture.md "Eviction").
--
-- Eviction takes rows in queue order, coalesce(requeued_at, fetched_at): when a row was written,
-- or when eviction last let it stay because readers used it (second chance, CLOCK). A write sets
-- requeued_at back to NULL; only eviction sets it, one row write per kept row per pass, never one
-- per read.
--
-- Safe on a big table: a nullable column without a default is a change to the catalog only
-- (no rewrite); the ACCESS EXCLUSIVE lock it takes is held for milliseconds, though it waits
-- behind (and holds up) statements already running on the table.
ALTER TABLE cache_entry ADD COLUMN IF NOT EXISTS requeued_at timestamptz;

COMMENT ON COLUMN cache_entry.requeued_at IS
    'When eviction last gave the row a second chance because it had been read since it was queued (NULL: never since written). '
    'Eviction takes rows in the order coalesce(requeued_at, fetched_at); see docs/operations.md, "Bounds and eviction".';
