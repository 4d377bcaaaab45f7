-- pgcache schema, version 1: the cache table.
--
-- One row per (namespace, cache_key). Every SQL statement that touches this table
-- lives in dev.pgcache.entry.EntryStore; docs/operations.md explains each column
-- and gives safe SQL recipes for DBAs.

-- Every write draws a new version from one sequence, so an ETag never repeats for a
-- key, even after the key was deleted and written again.
CREATE SEQUENCE cache_entry_version_seq AS bigint CACHE 1;

CREATE TABLE cache_entry (
    namespace    text COLLATE "C" NOT NULL,
    cache_key    text COLLATE "C" NOT NULL,
    value        jsonb       NOT NULL,
    fetched_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    stale_until  timestamptz,
    version      bigint      NOT NULL DEFAULT nextval('cache_entry_version_seq'),
    revision     bigint,
    size_bytes   integer     NOT NULL,
    tags         text[]      NOT NULL DEFAULT '{}',
    hit_count    bigint      NOT NULL DEFAULT 0,
    last_hit_at  timestamptz,
    CONSTRAINT cache_entry_pkey PRIMARY KEY (namespace, cache_key),
    CONSTRAINT cache_entry_stale_after_expiry
        CHECK (stale_until IS NULL OR (expires_at IS NOT NULL AND stale_until >= expires_at)),
    CONSTRAINT cache_entry_size_non_negative CHECK (size_bytes >= 0)
)
-- Room on each page so that updates which touch no indexed column (hit counts,
-- last_hit_at) can be HOT updates: no new index entries, less bloat.
-- Autovacuum runs far earlier than the defaults (20% dead rows) because the table
-- is upsert- and delete-heavy; docs/operations.md says why each number was chosen.
WITH (
    fillfactor = 85,
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0.05,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 1
);

-- Purge finds rows past their last servable moment: the end of the stale window,
-- or the expiry when there is none. Never-expiring rows are not in this index.
CREATE INDEX cache_entry_purge_idx
    ON cache_entry ((coalesce(stale_until, expires_at)))
    WHERE expires_at IS NOT NULL;

-- Invalidation by tag.
CREATE INDEX cache_entry_tags_idx ON cache_entry USING gin (tags);

COMMENT ON TABLE cache_entry IS
    'pgcache entries: one cached JSON value per (namespace, cache_key). Written by the pgcache service; '
    'rows past coalesce(stale_until, expires_at) are invisible to readers and removed by the purge job. '
    'See docs/operations.md.';
COMMENT ON COLUMN cache_entry.namespace IS
    'Which cache the entry belongs to (pattern [a-z0-9][a-z0-9._-]{0,63}); its policy (TTL, stale window, bounds, upstream) is configured under pgcache.namespaces.<name>.';
COMMENT ON COLUMN cache_entry.cache_key IS
    'The caller''s key, any UTF-8 text up to pgcache.limits.max-key-bytes (default 512) bytes; compared byte-wise (COLLATE "C").';
COMMENT ON COLUMN cache_entry.value IS
    'The cached JSON value (object, array, string, number, boolean or null). Served to readers as value::text.';
COMMENT ON COLUMN cache_entry.fetched_at IS
    'When the value was produced by its source (the write time unless the writer said otherwise); the HTTP Age header counts from here.';
COMMENT ON COLUMN cache_entry.expires_at IS
    'End of freshness. NULL means the value never expires (e.g. a finalized block). Freshness is judged with the database clock, now().';
COMMENT ON COLUMN cache_entry.stale_until IS
    'How long after expires_at the value may still be served stale (stale-while-revalidate, stale-if-error). NULL means no stale window: the row is gone at expires_at.';
COMMENT ON COLUMN cache_entry.version IS
    'Bumped on every write from cache_entry_version_seq (never repeats). Sent as the HTTP ETag; the token for compare-and-set.';
COMMENT ON COLUMN cache_entry.revision IS
    'The source''s own version of the value (block height, file mtime, row watermark), if the writer gave one. A write with a lower revision than the stored one is refused.';
COMMENT ON COLUMN cache_entry.size_bytes IS
    'Size of the JSON text as the writer sent it, in bytes. Used for per-namespace byte bounds and to find big entries.';
COMMENT ON COLUMN cache_entry.tags IS
    'Labels given by the writer; an invalidation by tag removes every entry carrying it. Empty array when none.';
COMMENT ON COLUMN cache_entry.hit_count IS
    'How many reads hit this entry since it was written. Counted in memory and flushed in batches, so it lags by up to one flush interval.';
COMMENT ON COLUMN cache_entry.last_hit_at IS
    'When a reader last hit this entry (NULL: never). Flushed in batches like hit_count.';
COMMENT ON SEQUENCE cache_entry_version_seq IS
    'Source of cache_entry.version: one value per write.';
COMMENT ON INDEX cache_entry_purge_idx IS
    'Lets the purge job find rows past their stale window (or expiry) in small batches without scanning the table.';
COMMENT ON INDEX cache_entry_tags_idx IS
    'Lets invalidation by tag find entries without scanning the table.';
COMMENT ON CONSTRAINT cache_entry_pkey ON cache_entry IS
    'One entry per key in a namespace; also serves lookups, prefix invalidation and key listing (cache_key is COLLATE "C").';
