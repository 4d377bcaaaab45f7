package dev.pgcache.rpc;

import java.math.BigInteger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pgcache.load.UpstreamFailure;

/** How the chain tracker reads a node's head, finalized block and block hashes: one way per chain kind. */
interface ChainReader {

    /** A block: its number and hash. */
    record Block(long number, String hash) {
    }

    Block head();

    /** The finalized block's number, given the head's. */
    long finalized(long head);

    /** The hash of the block at this height on the node's chain now, or null when there is none. */
    String hashAt(long number);

    static ChainReader of(String chain, RpcNode node, boolean finalizedTag, int depth) {
        return chain.equalsIgnoreCase("substrate") ? new Substrate(node, finalizedTag, depth) : new Ethereum(node, finalizedTag, depth);
    }

    private static long number(RpcNode node, JsonNode n, String what) {
        BigInteger v = BlockParams.number(n);
        if (v == null) {
            throw new UpstreamFailure(UpstreamFailure.Kind.BAD_ANSWER, "the JSON-RPC upstream '" + node.name() + "' gave no block number for " + what);
        }
        return v.longValue();
    }

    /** eth_getBlockByNumber with the latest and finalized tags; head minus depth on nodes without the finalized tag. */
    final class Ethereum implements ChainReader {
        private final RpcNode node;
        private final int depth;
        private volatile boolean askFinalized;

        Ethereum(RpcNode node, boolean finalizedTag, int depth) {
            this.node = node;
            this.askFinalized = finalizedTag;
            this.depth = depth;
        }

        @Override
        public Block head() {
            JsonNode b = node.call("eth_getBlockByNumber", "latest", false);
            return new Block(number(node, b.path("number"), "latest"), b.path("hash").asText(null));
        }

        @Override
        public long finalized(long head) {
            if (askFinalized) {
                try {
                    JsonNode b = node.call("eth_getBlockByNumber", "finalized", false);
                    if (!b.isNull()) {
                        return Math.min(head, number(node, b.path("number"), "finalized"));
                    }
                } catch (RpcNode.RpcErrorAnswer e) {
                    askFinalized = false; // the node has no finalized tag: count depth from now on
                }
            }
            return Math.max(-1, head - depth);
        }

        @Override
        public String hashAt(long number) {
            JsonNode b = node.call("eth_getBlockByNumber", "0x" + Long.toHexString(number), false);
            return b.isNull() ? null : b.path("hash").asText(null);
        }
    }

    /** chain_getHeader, chain_getBlockHash and chain_getFinalizedHead. */
    final class Substrate implements ChainReader {
        private final RpcNode node;
        private final boolean finalizedTag;
        private final int depth;

        Substrate(RpcNode node, boolean finalizedTag, int depth) {
            this.node = node;
            this.finalizedTag = finalizedTag;
            this.depth = depth;
        }

        @Override
        public Block head() {
            long n = number(node, node.call("chain_getHeader").path("number"), "chain_getHeader");
            return new Block(n, hashAt(n));
        }

        @Override
        public long finalized(long head) {
            if (finalizedTag) {
                JsonNode hash = node.call("chain_getFinalizedHead");
                if (hash.isTextual()) {
                    return Math.min(head, number(node, node.call("chain_getHeader", hash.asText()).path("number"), "the finalized head"));
                }
            }
            return Math.max(-1, head - depth);
        }

        @Override
        public String hashAt(long number) {
            JsonNode h = node.call("chain_getBlockHash", number);
            return h.isTextual() ? h.asText() : null;
        }
    }
}
