package dev.pgcache.testing;

import java.io.IOException;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * A test server on loopback (an upstream, a JSON-RPC node, a relay): what each has of its
 * {@link LoopbackServer}. Subclasses build themselves, then call {@link #serve}, so no request
 * reaches a half-built server.
 */
public abstract class LoopbackNode implements AutoCloseable {

    protected static final ObjectMapper JSON = new ObjectMapper();

    private LoopbackServer http;

    /** Starts serving every request with {@link #handle}; {@code name} names its threads. */
    protected final void serve(String name) {
        http = LoopbackServer.start(name, this::handle);
    }

    protected abstract void handle(HttpExchange ex) throws IOException;

    public final String baseUrl() {
        return http.baseUrl();
    }

    @Override
    public void close() {
        http.close();
    }

    /**
     * A JSON-RPC body answered call by call: a batch gets the array of the non-null answers
     * (notifications get none), a single call its answer or null.
     */
    protected static JsonNode answerAll(JsonNode request, Function<JsonNode, JsonNode> answer) {
        if (!request.isArray()) {
            return answer.apply(request);
        }
        ArrayNode all = JSON.createArrayNode();
        request.forEach(r -> {
            JsonNode a = answer.apply(r);
            if (a != null) {
                all.add(a);
            }
        });
        return all;
    }
}
