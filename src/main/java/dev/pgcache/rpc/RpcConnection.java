package dev.pgcache.rpc;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pgcache.load.UpstreamFailure;

/**
 * One upstream on the wire: its name, the namespace its answers are kept in, and its nodes
 * ({@link RpcNodes}: each a {@link RpcClient} behind its own retries and circuit breaker). The chain
 * tracker makes its own calls through it; the proxy sends callers' bodies.
 */
final class RpcConnection {

    static final String OWN_ID = "pgcache-head";

    private final String name;
    private final String namespace;
    private final RpcNodes nodes;

    RpcConnection(String name, RpcNodes nodes) {
        this.name = name;
        this.namespace = namespaceOf(name);
        this.nodes = nodes;
    }

    /** The namespace an upstream's answers are kept in. */
    static String namespaceOf(String upstream) {
        return "rpc-" + upstream;
    }

    String name() {
        return name;
    }

    String namespace() {
        return namespace;
    }

    RpcNodes nodes() {
        return nodes;
    }

    /**
     * Sends a JSON-RPC body as it is; {@code repeatable}: a failure may be retried, on another node
     * too; {@code need}: the highest block it asks about ({@link BlockNeed}). Answers the node's body.
     */
    String send(String body, boolean repeatable, long need) {
        return nodes.send(body, repeatable, need);
    }

    /**
     * One call of pgcache's own (the chain tracker's), never cached: its result, or an
     * {@link UpstreamFailure} for a failure or a JSON-RPC error.
     */
    JsonNode call(String method, Object... params) {
        // an id of its own, so node logs (and the tests' counting relay) can tell the tracker's calls from callers'
        ObjectNode request = RpcJson.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", OWN_ID).put("method", method);
        ArrayNode p = request.putArray("params");
        for (Object o : params) {
            p.addPOJO(o);
        }
        String answer = nodes.sendOwn(RpcJson.write(request));
        JsonNode response;
        try {
            response = RpcJson.parse(answer);
        } catch (IOException e) {
            throw new UpstreamFailure(UpstreamFailure.Kind.BAD_ANSWER, "the JSON-RPC upstream '" + name + "' answered " + method + " with invalid JSON");
        }
        if (response.has("error")) {
            throw new RpcErrorAnswer(method, response.get("error"));
        }
        return response.path("result");
    }

    /** The node answered one of pgcache's own calls with a JSON-RPC error (e.g. it has no "finalized" tag). */
    static final class RpcErrorAnswer extends RuntimeException {
        RpcErrorAnswer(String method, JsonNode error) {
            super(method + " answered JSON-RPC error " + error.path("code").asText() + ": " + shorten(error.path("message").asText()), null, false, false);
        }

        private static String shorten(String s) {
            return s.length() > 200 ? s.substring(0, 200) + "…" : s;
        }
    }
}
