package dev.pgcache.rpc;

import java.io.IOException;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a node's answer says about the node rather than about the request: an error that means it
 * is unwell (another node may do better), or a null result that a node behind the block asked may
 * give only because it has not seen that block yet.
 */
final class NodeAnswers {

    /**
     * JSON-RPC error codes that say the node is unwell, not the request bad: -32603 internal error,
     * -32005 limit exceeded (what providers answer when they rate-limit). -32600, -32601, -32602,
     * execution reverted (3) and the generic -32000 (geth's "insufficient funds", "nonce too low"...)
     * are the request's fault and stay the caller's answer. Even these two count against a node only
     * when another node answers the same request without them ({@link SecondOpinions}).
     */
    static final Set<Integer> UNWELL_CODES = Set.of(-32603, -32005);

    private NodeAnswers() {
    }

    /** The first unwell error code in a single answer or a batch answer, or null when there is none (or the body is not JSON). */
    static Integer unwellCode(String body) {
        if (!body.contains("\"error\"")) {
            return null; // the common case, without parsing the answer
        }
        JsonNode answer = parse(body);
        if (answer == null) {
            return null;
        }
        for (JsonNode a : answer.isArray() ? answer : java.util.List.of(answer)) {
            JsonNode code = a.path("error").path("code");
            if (code.canConvertToInt() && UNWELL_CODES.contains(code.intValue())) {
                return code.intValue();
            }
        }
        return null;
    }

    /** Whether a single answer, or any answer of a batch, has the result null. */
    static boolean hasNullResult(String body) {
        JsonNode answer = parse(body);
        if (answer == null) {
            return false;
        }
        for (JsonNode a : answer.isArray() ? answer : java.util.List.of(answer)) {
            if (a.has("result") && a.get("result").isNull()) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode parse(String body) {
        try {
            return RpcJson.parse(body);
        } catch (IOException e) {
            return null;
        }
    }
}
