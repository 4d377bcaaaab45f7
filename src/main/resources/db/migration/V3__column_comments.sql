-- Column comments that V1 got wrong or that changed with the code; comments only, no data.

-- No API lets a writer set fetched_at: it is always the database time of the write (or of the
-- load, for read-through and the JSON-RPC proxy).
COMMENT ON COLUMN cache_entry.fetched_at IS
    'When the value was written (read-through and the JSON-RPC proxy: when it was loaded from the upstream), by the database clock; the HTTP Age header counts from here.';

-- Reads are sampled since pgcache.hits.sample-one-in (default 10): see docs/operations-scale.md.
COMMENT ON COLUMN cache_entry.hit_count IS
    'Estimated reads since the value was written: with pgcache.hits.sample-one-in = n (default 10) one read in n, chosen at random, counts as n. Counted in memory and flushed in batches, so it lags by up to one flush interval.';
COMMENT ON COLUMN cache_entry.last_hit_at IS
    'When a counted (sampled) read last hit this entry; NULL: none counted since the write. Flushed in batches like hit_count.';
