-- pgcache schema, version 13: what size-aware eviction needs to age hit counts
-- (pgcache.storage.eviction-policy=size-aware, docs/architecture.md "Eviction").
--
-- Size-aware eviction weighs a row by the reads it had since it was queued, per byte:
-- (hit_count - requeued_hit_count + 1) / size_bytes while requeued_at is set, (hit_count + 1) /
-- size_bytes while it is NULL (a write sets hit_count to 0 and requeued_at to NULL, so the count
-- then starts from the write). When eviction requeues a row it sets requeued_hit_count to the
-- row's hit_count of that moment, which uses the reads up: hit_count itself counts from the write
-- and never decays, so without this a row once hot would outweigh every other for good.
--
-- Only eviction writes it, in the same UPDATE that sets requeued_at (one row write per requeued
-- row per pass). Deliberately NOT indexed, like hit_count and last_hit_at (V2): the hit flush
-- must stay a HOT update, and no index here covers a column the flush writes.
--
-- Safe on a big table: a nullable column without a default is a change to the catalog only
-- (no rewrite); the ACCESS EXCLUSIVE lock it takes is held for milliseconds, though it waits
-- behind (and holds up) statements already running on the table.
ALTER TABLE cache_entry ADD COLUMN IF NOT EXISTS requeued_hit_count bigint;

COMMENT ON COLUMN cache_entry.requeued_hit_count IS
    'hit_count when eviction last requeued the row (meaningful only while requeued_at is set): size-aware eviction '
    'weighs a row by hit_count - requeued_hit_count, the reads since it was queued. See docs/operations.md, "Bounds and eviction".';
