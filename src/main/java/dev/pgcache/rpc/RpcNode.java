package dev.pgcache.rpc;

import java.time.Duration;

/**
 * One upstream node as the proxy uses it: its connection (name, namespace, the calls), its method
 * policy (what is cached) and method access (what callers may send), its chain tracker, and how
 * long a request waits for its call.
 */
record RpcNode(RpcConnection connection, RpcMethodPolicy policy, RpcMethodAccess access, ChainTracker tracker, Duration waitTimeout) {

    String name() {
        return connection.name();
    }

    String namespace() {
        return connection.namespace();
    }

    /** Sends a JSON-RPC body as it is; {@code repeatable}: a failure may be retried; {@code need}: see {@link BlockNeed}. Answers the node's body. */
    String send(String body, boolean repeatable, long need) {
        return connection.send(body, repeatable, need);
    }
}
