-- pgcache schema, version 2: a summary view for DBAs and the index that serves eviction.
--
-- Every SQL statement that touches cache_entry lives in dev.pgcache.entry.EntryStore;
-- docs/operations-scale.md explains the view and the eviction order.

-- Eviction (per-namespace max-entries / max-bytes) removes a namespace's oldest rows first,
-- oldest by fetched_at, ties by key. This index lets each eviction batch read the next oldest
-- rows of one namespace without sorting the namespace; the key in it makes the order total, so
-- eviction can stop at an exact row (up to and including a cutoff row), which keeps two
-- replicas handing the purge lock back and forth from evicting more than needed.
--
-- Deliberately NOT indexed: hit_count and last_hit_at. The hit flush updates only those two
-- columns; while no index covers them (and the page has room, see fillfactor in V1) each of
-- those updates is a HOT update that writes no index entry at all. An index on last_hit_at
-- (which a least-recently-hit eviction order would need) would turn every flushed hit into
-- a new entry in every index of the table.
--
-- On a table that already holds millions of rows, CREATE INDEX blocks writes (not reads)
-- while it builds; docs/operations-scale.md says how to build it CONCURRENTLY beforehand.
CREATE INDEX IF NOT EXISTS cache_entry_eviction_idx ON cache_entry (namespace, fetched_at, cache_key);

COMMENT ON INDEX cache_entry_eviction_idx IS
    'Lets purge evict a namespace''s oldest entries (by fetched_at, then key) in small batches when the namespace is over pgcache.namespaces.<name>.max-entries or max-bytes.';

-- One row per namespace. Every number is computed when the view is read: it scans
-- cache_entry once, so on a big table read it now and then, not in a loop.
CREATE VIEW cache_summary AS
SELECT namespace,
       count(*)                                                               AS entries,
       count(*) FILTER (WHERE expires_at IS NULL OR expires_at > now())       AS fresh,
       count(*) FILTER (WHERE expires_at <= now() AND stale_until > now())    AS stale,
       count(*) FILTER (WHERE coalesce(stale_until, expires_at) <= now())     AS gone,
       coalesce(sum(size_bytes), 0)::bigint                                   AS total_bytes,
       min(fetched_at)                                                        AS oldest_fetched_at,
       max(fetched_at)                                                        AS newest_fetched_at,
       coalesce(sum(hit_count), 0)::bigint                                    AS hits,
       max(last_hit_at)                                                       AS last_hit_at
FROM cache_entry
GROUP BY namespace;

COMMENT ON VIEW cache_summary IS
    'pgcache: one row per namespace that has rows in cache_entry, computed when read (one scan of cache_entry). '
    'entries = fresh + stale + gone. See docs/operations-scale.md for example queries.';
COMMENT ON COLUMN cache_summary.namespace IS
    'The namespace (cache_entry.namespace).';
COMMENT ON COLUMN cache_summary.entries IS
    'All rows of the namespace, whatever their state: fresh + stale + gone.';
COMMENT ON COLUMN cache_summary.fresh IS
    'Rows served as fresh now: expires_at is NULL (never expires) or in the future.';
COMMENT ON COLUMN cache_summary.stale IS
    'Rows past expires_at but inside their stale window: still served, marked stale (X-Cache: STALE).';
COMMENT ON COLUMN cache_summary.gone IS
    'Rows past coalesce(stale_until, expires_at): invisible to readers, waiting for the purge job. '
    'A number that keeps growing means purge is not keeping up or not running.';
COMMENT ON COLUMN cache_summary.total_bytes IS
    'Sum of size_bytes: the JSON text as written, in bytes; the measure of pgcache.namespaces.<name>.max-bytes. '
    'Not the space on disk (see pg_total_relation_size for that).';
COMMENT ON COLUMN cache_summary.oldest_fetched_at IS
    'fetched_at of the oldest row: the next one eviction removes when the namespace is over its bounds.';
COMMENT ON COLUMN cache_summary.newest_fetched_at IS
    'fetched_at of the most recently written row.';
COMMENT ON COLUMN cache_summary.hits IS
    'Sum of hit_count: reads that hit the current values of the namespace''s rows. '
    'Lags the service by up to one hit flush interval (pgcache.hits.flush-interval); a replaced value starts again at 0.';
COMMENT ON COLUMN cache_summary.last_hit_at IS
    'The latest last_hit_at of the namespace (NULL: no row was hit since written). Flushed in batches like hits.';
