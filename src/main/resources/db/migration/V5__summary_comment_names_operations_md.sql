-- docs/operations-scale.md was merged into docs/operations.md (issue 14); the comment a DBA reads
-- with \d+ cache_summary named the old file. Comments only, no data. (The SQL comments of V2 and
-- V3 still name it: an applied migration is never edited, Flyway checks its checksum.)
COMMENT ON VIEW cache_summary IS
    'pgcache: one row per namespace that has rows in cache_entry, computed when read (one scan of cache_entry). '
    'entries = fresh + stale + gone. See docs/operations.md, "The cache_summary view", for example queries.';
