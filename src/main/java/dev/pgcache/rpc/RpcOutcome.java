package dev.pgcache.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The answer to one request sent to the node: a result (with its text, shared by every identical
 * request of the flight; only the text when another replica fetched it), the node's error, a
 * failure of the call, or nothing (a notification).
 */
record RpcOutcome(JsonNode result, String resultText, JsonNode error) {

    static final RpcOutcome NONE = new RpcOutcome(null, null, null);

    static RpcOutcome result(JsonNode result) {
        return new RpcOutcome(result, RpcJson.write(result), null);
    }

    /** A result another replica fetched and stored meanwhile: its text as read from the cache. */
    static RpcOutcome stored(String resultText) {
        return new RpcOutcome(null, resultText, null);
    }

    /** No answer within the upstream's wait-timeout. */
    static RpcOutcome timedOut(RpcNode node) {
        return failed(node.name(), "no answer from the JSON-RPC upstream '" + node.name() + "' within "
                + node.waitTimeout().toMillis() + " ms (pgcache.rpc.upstreams." + node.name() + ".wait-timeout)");
    }

    static RpcOutcome error(JsonNode error) {
        return new RpcOutcome(null, null, error);
    }

    static RpcOutcome failed(String upstream, String message) {
        ObjectNode e = JsonNodeFactory.instance.objectNode().put("code", RpcEnvelope.UPSTREAM_ERROR).put("message", message);
        e.putObject("data").put("upstream", upstream);
        return new RpcOutcome(null, null, e);
    }

    String toAnswer(JsonNode id) {
        if (resultText != null) {
            return RpcEnvelope.result(id, resultText);
        }
        return RpcEnvelope.withError(id, error);
    }
}
