package dev.pgcache.rpc;

import java.math.BigInteger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pgcache.load.UpstreamFailure;

/**
 * How the chain tracker reads a node's head, finalized block and block hashes: one way per chain
 * kind. The finalized block is the node's own when it names one (and pgcache.rpc.upstreams.*.finalized-tag
 * is on), never above the head; else the head minus finality-depth.
 */
abstract class ChainReader {

    /** A block: its number and hash. */
    record Block(long number, String hash) {
    }

    final RpcConnection node;
    private final int depth;
    /** Whether to ask the node for its finalized block; a kind of node may turn it off when the node has none. */
    volatile boolean askFinalized;

    private ChainReader(RpcConnection node, boolean finalizedTag, int depth) {
        this.node = node;
        this.askFinalized = finalizedTag;
        this.depth = depth;
    }

    static ChainReader of(String chain, RpcConnection node, boolean finalizedTag, int depth) {
        return chain.equalsIgnoreCase("substrate") ? new Substrate(node, finalizedTag, depth) : new Ethereum(node, finalizedTag, depth);
    }

    abstract Block head();

    /** The hash of the block at this height on the node's chain now, or null when there is none. */
    abstract String hashAt(long number);

    /** The number of the block the node calls finalized, or null when it names none. */
    abstract Long finalizedByNode();

    /** The finalized block's number, given the head's. */
    final long finalized(long head) {
        if (askFinalized) {
            Long n = finalizedByNode();
            if (n != null) {
                return Math.min(head, n);
            }
        }
        return Math.max(-1, head - depth);
    }

    final long number(JsonNode n, String what) {
        BigInteger v = BlockParams.number(n);
        if (v == null) {
            throw new UpstreamFailure(UpstreamFailure.Kind.BAD_ANSWER, "the JSON-RPC upstream '" + node.name() + "' gave no block number for " + what);
        }
        return v.longValue();
    }

    /** eth_getBlockByNumber with the latest and finalized tags; head minus depth on nodes without the finalized tag. */
    static final class Ethereum extends ChainReader {

        Ethereum(RpcConnection node, boolean finalizedTag, int depth) {
            super(node, finalizedTag, depth);
        }

        @Override
        Block head() {
            JsonNode b = node.call("eth_getBlockByNumber", "latest", false);
            return new Block(number(b.path("number"), "latest"), b.path("hash").asText(null));
        }

        @Override
        Long finalizedByNode() {
            try {
                JsonNode b = node.call("eth_getBlockByNumber", "finalized", false);
                return b.isNull() ? null : number(b.path("number"), "finalized");
            } catch (RpcConnection.RpcErrorAnswer e) {
                askFinalized = false; // the node has no finalized tag: count depth from now on
                return null;
            }
        }

        @Override
        String hashAt(long number) {
            JsonNode b = node.call("eth_getBlockByNumber", "0x" + Long.toHexString(number), false);
            return b.isNull() ? null : b.path("hash").asText(null);
        }
    }

    /** chain_getHeader, chain_getBlockHash and chain_getFinalizedHead. */
    static final class Substrate extends ChainReader {

        Substrate(RpcConnection node, boolean finalizedTag, int depth) {
            super(node, finalizedTag, depth);
        }

        @Override
        Block head() {
            long n = number(node.call("chain_getHeader").path("number"), "chain_getHeader");
            return new Block(n, hashAt(n));
        }

        @Override
        Long finalizedByNode() {
            JsonNode hash = node.call("chain_getFinalizedHead");
            return hash.isTextual() ? number(node.call("chain_getHeader", hash.asText()).path("number"), "the finalized head") : null;
        }

        @Override
        String hashAt(long number) {
            JsonNode h = node.call("chain_getBlockHash", number);
            return h.isTextual() ? h.asText() : null;
        }
    }
}
