package dev.pgcache.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Which blocks a request needs a node to have, for choosing among the nodes of an upstream: none
 * (a static answer any node gives), a block number (a node whose head is below it may answer
 * null only because it lags), or the head: a tag (latest, safe, pending...), a block hash (the
 * block may be recent), a transaction by hash, a head method, and every method the policy does
 * not pin to a block (sending, estimating, filters, unknown methods), which act on the node's
 * state at its head.
 */
final class BlockNeed {

    static final long NONE = -1;
    static final long HEAD = Long.MAX_VALUE;

    private BlockNeed() {
    }

    static long of(RpcMethodPolicy policy, String method, JsonNode params) {
        RpcMethodPolicy.Rule rule = method == null ? null : policy.ruleOf(method);
        if (rule == null) {
            return HEAD;
        }
        return switch (rule.kind()) {
            case STATIC -> NONE;
            case BLOCK -> of(BlockParams.of(BlockParams.param(params, rule.param())));
            case LOGS -> of(BlockParams.ofLogs(params));
            case HEAD, MINED, NEVER -> HEAD;
        };
    }

    private static long of(BlockParams.Ref ref) {
        return ref instanceof BlockParams.Ref.Number n ? n.n() : HEAD;
    }

    /**
     * Whether a request only reads, so that it may be sent again, to the same node or another: its
     * method has a rule other than {@code never} (cached or not: a head method with head-ttl 0s, a
     * {@code pending} tag). Sends, filters and methods no rule names are not.
     */
    static boolean readOnly(RpcMethodPolicy policy, String method) {
        RpcMethodPolicy.Rule rule = method == null ? null : policy.ruleOf(method);
        return rule != null && rule.kind() != RpcMethodPolicy.Kind.NEVER;
    }

    /** Whether the need is a block number (not none, not the head). */
    static boolean isNumber(long need) {
        return need >= 0 && need != HEAD;
    }
}
