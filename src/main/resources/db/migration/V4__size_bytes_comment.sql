-- size_bytes changed meaning with issue 13 (docs/security.md, "Answers and memory"); comments only, no data.

-- jsonb prints a space after every ',' and ':' and numbers in plain form (1e131071 as 131,072
-- digits), so the text as sent was no bound of what a read returns; answers are now sized by it
-- before values are read.
COMMENT ON COLUMN cache_entry.size_bytes IS
    'An upper bound of the bytes a read of the value returns (octet_length(value::text)): the JSON as sent, plus the space jsonb prints after each comma and colon, plus the digits numbers in exponent form gain when written out; exact for compact JSON. Used for per-namespace byte bounds, to size batch-get answers before values are read, and to find big entries.';
COMMENT ON COLUMN cache_summary.total_bytes IS
    'Sum of size_bytes: the JSON as a read returns it (at most), in bytes; the measure of pgcache.namespaces.<name>.max-bytes. '
    'Not the space on disk (see pg_total_relation_size for that).';
