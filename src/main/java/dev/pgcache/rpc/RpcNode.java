package dev.pgcache.rpc;

import java.io.IOException;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pgcache.load.Fetched;
import dev.pgcache.load.Source;
import dev.pgcache.load.UpstreamFailure;

/**
 * One upstream node as the proxy uses it: its name and namespace, its method policy (what is
 * cached) and method access (what callers may send), its source (retries and circuit breaker around {@link RpcClient}) and its chain tracker.
 */
final class RpcNode {

    static final String OWN_ID = "pgcache-head";

    private final String name;
    private final String namespace;
    private final RpcMethodPolicy policy;
    private final RpcMethodAccess access;
    private final Source source;
    private final Duration waitTimeout;
    private ChainTracker tracker;

    RpcNode(String name, RpcMethodPolicy policy, RpcMethodAccess access, Source source, Duration waitTimeout) {
        this.name = name;
        this.namespace = namespaceOf(name);
        this.policy = policy;
        this.access = access;
        this.source = source;
        this.waitTimeout = waitTimeout;
    }

    static String namespaceOf(String upstream) {
        return "rpc-" + upstream;
    }

    void track(ChainTracker tracker) {
        this.tracker = tracker;
    }

    String name() {
        return name;
    }

    String namespace() {
        return namespace;
    }

    RpcMethodPolicy policy() {
        return policy;
    }

    RpcMethodAccess access() {
        return access;
    }

    ChainTracker tracker() {
        return tracker;
    }

    Duration waitTimeout() {
        return waitTimeout;
    }

    /** Sends a JSON-RPC body as it is; {@code repeatable}: a failure may be retried. Answers the node's body. */
    String send(String body, boolean repeatable) {
        Fetched f = source.fetch(new Source.Request(body, repeatable));
        return ((Fetched.Value) f).json();
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
        String answer = send(RpcJson.write(request), true);
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
