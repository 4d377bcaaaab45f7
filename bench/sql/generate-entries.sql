-- Generates entries k<from>..k<to - 1> in namespace :'ns' directly in SQL (bench/run.sh, scale
-- scenario): 10 million rows through the HTTP API would take longer than the rest of the run.
-- The values have the shape and size of bench.py's block-like values (0.3-2 KB of JSON):
-- a block header with 1 to 22 transaction hashes. psql -v ns=... -v from=... -v to=...
SET synchronous_commit = off;
INSERT INTO pgcache.cache_entry (namespace, cache_key, value, size_bytes)
SELECT :'ns', 'k' || i, v, octet_length(v::text)
FROM generate_series(CAST(:from AS bigint), :to - 1) AS i,
LATERAL (SELECT jsonb_build_object(
            'number', '0x' || to_hex(19000000 + i),
            'hash', '0x' || md5('h' || i) || md5('H' || i),
            'parentHash', '0x' || md5('p' || i) || md5('P' || i),
            'miner', '0x' || left(md5('m' || (i % 5000)), 40),
            'gasUsed', '0x' || to_hex((i * 7919) % 16777216),
            'baseFeePerGas', ((i * 104729) % 1099511627776)::text,
            'transactions', (SELECT jsonb_agg('0x' || md5(i || 't' || j) || md5(j || 'T' || i))
                             FROM generate_series(1, 1 + (i * 31) % 22) AS j)) AS v) AS g
ON CONFLICT (namespace, cache_key) DO NOTHING;
