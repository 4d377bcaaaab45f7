package dev.pgcache.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The texts of JSON-RPC 2.0 answers: the envelope around a result or an error, and the error codes pgcache answers with. */
final class RpcEnvelope {

    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    /** Implementation-defined server error: the upstream failed, timed out or answered nonsense. */
    static final int UPSTREAM_ERROR = -32000;
    /**
     * Implementation-defined server error: the caller may not send this method (its scope, or the
     * upstream's configuration). Outside EIP-1474's -32000..-32006, so no client reads it as one of those.
     */
    static final int METHOD_NOT_PERMITTED = -32040;

    private RpcEnvelope() {
    }

    static String result(JsonNode id, String resultJson) {
        return envelope(id) + ",\"result\":" + resultJson + "}";
    }

    /** The answer to a refused request: its method, the upstream and the method's class in data, for clients that branch on them. */
    static String refused(JsonNode id, String upstream, String method, RpcMethodAccess.Refusal refusal) {
        ObjectNode e = JsonNodeFactory.instance.objectNode().put("code", METHOD_NOT_PERMITTED).put("message", refusal.message());
        e.putObject("data").put("upstream", upstream).put("method", method).put("access", refusal.access().label());
        return withError(id, e);
    }

    static String error(JsonNode id, int code, String message) {
        return withError(id, JsonNodeFactory.instance.objectNode().put("code", code).put("message", message));
    }

    static String withError(JsonNode id, JsonNode error) {
        return envelope(id) + ",\"error\":" + RpcJson.write(error) + "}";
    }

    /** An answer up to its id: the caller appends the result or error member and the closing brace. */
    static String envelope(JsonNode id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + (id == null ? "null" : RpcJson.write(id));
    }
}
