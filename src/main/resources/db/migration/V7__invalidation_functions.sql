-- Invalidation from an application's own transactions (docs/operations.md, "Invalidating from your
-- own transactions"): an application that shares the database calls these inside its transaction,
-- so the cache entries go exactly when its own change commits, and stay when it rolls back. The
-- change triggers of V6 announce the deletions at commit, and every replica's near cache follows.
--
-- Each is one DELETE in the caller's transaction (no batching, unlike the HTTP invalidation: the
-- caller decides how large its transaction is). SECURITY INVOKER (the default): the caller needs
-- USAGE on the schema and DELETE on cache_entry. search_path is fixed to this schema at creation,
-- so the body finds cache_entry whatever the caller's search_path is. Each returns how many rows
-- went (gone rows included).

CREATE FUNCTION invalidate_key(namespace text, cache_key text) RETURNS bigint
LANGUAGE sql SET search_path FROM CURRENT AS $$
    WITH deleted AS (
        DELETE FROM cache_entry e WHERE e.namespace = $1 AND e.cache_key = $2 RETURNING 1)
    SELECT count(*) FROM deleted
$$;

CREATE FUNCTION invalidate_prefix(namespace text, prefix text) RETURNS bigint
LANGUAGE sql SET search_path FROM CURRENT AS $$
    WITH deleted AS (
        DELETE FROM cache_entry e
        WHERE e.namespace = $1 AND e.cache_key >= $2 AND starts_with(e.cache_key, $2) RETURNING 1)
    SELECT count(*) FROM deleted
$$;

CREATE FUNCTION invalidate_tag(namespace text, tag text) RETURNS bigint
LANGUAGE sql SET search_path FROM CURRENT AS $$
    WITH deleted AS (
        DELETE FROM cache_entry e WHERE e.namespace = $1 AND e.tags @> ARRAY[$2] RETURNING 1)
    SELECT count(*) FROM deleted
$$;

CREATE FUNCTION invalidate_namespace(namespace text) RETURNS bigint
LANGUAGE sql SET search_path FROM CURRENT AS $$
    WITH deleted AS (
        DELETE FROM cache_entry e WHERE e.namespace = $1 RETURNING 1)
    SELECT count(*) FROM deleted
$$;

COMMENT ON FUNCTION invalidate_key(text, text) IS
    'pgcache: deletes one entry in the caller''s transaction; the near caches follow at commit. See docs/operations.md.';
COMMENT ON FUNCTION invalidate_prefix(text, text) IS
    'pgcache: deletes the namespace''s entries whose key starts with the prefix, in the caller''s transaction. See docs/operations.md.';
COMMENT ON FUNCTION invalidate_tag(text, text) IS
    'pgcache: deletes the namespace''s entries carrying the tag, in the caller''s transaction. See docs/operations.md.';
COMMENT ON FUNCTION invalidate_namespace(text) IS
    'pgcache: deletes every entry of the namespace, in the caller''s transaction. See docs/operations.md.';
