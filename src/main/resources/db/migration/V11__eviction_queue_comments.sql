-- pgcache schema, version 11: what the indexes of V10 are for (a transactional migration of its
-- own: V10 runs without a transaction, and Flyway does not mix the two in one migration).
COMMENT ON INDEX cache_entry_queue_idx IS
    'Lets purge evict a namespace over pgcache.namespaces.<name>.max-entries or max-bytes in queue order '
    '(coalesce(requeued_at, fetched_at), then key) in small batches.';
COMMENT ON INDEX cache_entry_table_queue_idx IS
    'Lets purge evict from the whole table, every namespace, when it is over pgcache.storage.max-entries or max-bytes, '
    'in queue order (coalesce(requeued_at, fetched_at), then namespace and key).';
COMMENT ON COLUMN cache_summary.oldest_fetched_at IS
    'fetched_at of the oldest row. Eviction takes rows in queue order (cache_entry.requeued_at), which is this order '
    'for rows never given a second chance.';
