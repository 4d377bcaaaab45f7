-- pgcache schema, version 12: the JSON-RPC proxy's view of each upstream's chain, shared by every
-- replica (docs/rpc.md, "Finality and re-orgs"; docs/operations.md, "What is in the database").
--
-- One row per upstream and the hashes of its recent blocks. Every replica's chain tracker reads
-- them on each poll and writes what it saw when that is news (a new head, a higher finalized
-- block, a new hash), so the writes follow the chain (about one per block), not the replicas'
-- polls. A re-org seen by one replica bumps reorg_generation before it deletes the cached answers
-- it made wrong; a chain replaced through the proxy (anvil_reset, ...) bumps epoch. Small tables:
-- a row per upstream, at most 256 hashes per upstream.
CREATE TABLE IF NOT EXISTS rpc_chain (
    upstream         text PRIMARY KEY,
    head             bigint,
    finalized        bigint,
    epoch            bigint NOT NULL DEFAULT 0,
    reorg_generation bigint NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS rpc_block_hash (
    upstream text   NOT NULL,
    height   bigint NOT NULL,
    hash     text   NOT NULL,
    PRIMARY KEY (upstream, height)
);

COMMENT ON TABLE rpc_chain IS
    'The chain of each JSON-RPC upstream (pgcache.rpc.upstreams.<name>) as the replicas together know it; '
    'see docs/rpc.md, "Finality and re-orgs".';
COMMENT ON COLUMN rpc_chain.upstream IS 'The upstream''s name; its cached answers are in namespace rpc-<name>.';
COMMENT ON COLUMN rpc_chain.head IS 'The head block number a replica saw last (NULL: none since the chain was last replaced).';
COMMENT ON COLUMN rpc_chain.finalized IS
    'The highest finalized block number any replica has seen: it never goes back, except when the chain is replaced (NULL then).';
COMMENT ON COLUMN rpc_chain.epoch IS
    'Bumped when a chain-replacing method (anvil_reset, evm_revert, debug_setHead, ...) went through the proxy: every cached '
    'answer of the upstream was deleted, and no answer fetched before may be stored.';
COMMENT ON COLUMN rpc_chain.reorg_generation IS
    'Bumped when a replica detects a re-org (and with each epoch), before it deletes the cached answers about the replaced '
    'blocks; replicas do not store answers fetched under an older generation.';
COMMENT ON COLUMN rpc_chain.updated_at IS 'When a replica last changed the row.';
COMMENT ON TABLE rpc_block_hash IS
    'Hashes of the recent blocks of each JSON-RPC upstream (at most 256), against which every replica''s chain tracker '
    'detects re-orgs.';
COMMENT ON COLUMN rpc_block_hash.upstream IS 'The upstream''s name (rpc_chain.upstream).';
COMMENT ON COLUMN rpc_block_hash.height IS 'The block number.';
COMMENT ON COLUMN rpc_block_hash.hash IS 'The hash of the block at that height, as the node gave it when a replica last looked.';
