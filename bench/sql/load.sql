-- Loads :rows rows into pgcache.cache_entry, in namespaces bench0..bench3 (i % 4), keys k1..k:rows.
-- Every 5th row (i % 5 == 0) is past its stale window (gone, waiting for purge), its expiry spread
-- over ten minutes; the rest are fresh for a day. Gone rows are interleaved with live ones, so
-- they sit on every page of the table, as expiries do in a real cache.
-- Values are block-like JSON objects of about 330 bytes (smaller than the 300-2000 bytes a real
-- node answer has, to keep the load under a few minutes on 2 cores).
SET synchronous_commit = off;
INSERT INTO pgcache.cache_entry (namespace, cache_key, value, fetched_at, expires_at, stale_until, size_bytes)
SELECT 'bench' || (i % 4), 'k' || i, v.value,
       now() - interval '2 hours' + (i % 3600) * interval '1 second',
       CASE WHEN i % 5 = 0 THEN now() - interval '30 minutes' - (i % 600) * interval '1 second'
            ELSE now() + interval '1 day' + (i % 3600) * interval '1 second' END,
       CASE WHEN i % 5 = 0 THEN now() - interval '20 minutes' - (i % 600) * interval '1 second'
            ELSE now() + interval '2 days' END,
       octet_length(v.value::text)
FROM generate_series(:first, :last) AS i,
     LATERAL (SELECT jsonb_build_object(
         'number', i, 'hash', '0x' || md5(i::text) || md5(i::text || 'h'),
         'parentHash', '0x' || md5((i - 1)::text) || md5((i - 1)::text || 'h'),
         'miner', '0x' || substr(md5(i::text || 'm'), 1, 40), 'gasUsed', (i::bigint * 7919) % 30000000,
         'timestamp', 1700000000 + i::bigint * 12, 'transactions', i % 250,
         'stateRoot', '0x' || md5(i::text || 's') || md5(i::text || 't')) AS value) AS v;
