package dev.pgcache.testing;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * A JSON-RPC node on loopback whose eth_call answers as large a result as the call asks for: the
 * call's {@code data} is the result's length in characters, in hex ({@code "0xe1000"}: a string
 * of 921,600 characters, {@code "0xaaaa…"}). Its chain is one block, 0x10, so the proxy's chain
 * tracker has a head to read. For the tests of answers too large to build. Steered over HTTP:
 * {@code GET /__calls}: eth_calls answered so far.
 */
public final class LargeResultNode extends LoopbackNode {
    private static final String BLOCK_HASH = "0x" + "0".repeat(62) + "10";

    private final AtomicInteger ethCalls = new AtomicInteger();
    private final Map<Integer, String> results = new ConcurrentHashMap<>();

    private LargeResultNode() {
    }

    public static LargeResultNode start() {
        LargeResultNode node = new LargeResultNode();
        node.serve("large-result-node");
        return node;
    }

    @Override
    protected void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (ex.getRequestURI().getPath().equals("/__calls")) {
                Exchanges.sendText(ex, 200, Integer.toString(ethCalls.get()));
                return;
            }
            JsonNode request = JSON.readTree(ex.getRequestBody().readAllBytes());
            Exchanges.sendJson(ex, 200, JSON.writeValueAsBytes(answerAll(request, this::answer)));
        }
    }

    private JsonNode answer(JsonNode r) {
        ObjectNode out = JSON.createObjectNode().put("jsonrpc", "2.0");
        out.set("id", r.get("id"));
        switch (r.path("method").asText()) {
            case "eth_getBlockByNumber" -> out.putObject("result").put("number", "0x10").put("hash", BLOCK_HASH);
            case "eth_call" -> {
                ethCalls.incrementAndGet();
                int length = Integer.parseInt(r.path("params").path(0).path("data").asText("0x2").substring(2), 16);
                out.put("result", results.computeIfAbsent(length, n -> "0x" + "a".repeat(Math.max(0, n - 2))));
            }
            default -> out.putObject("error").put("code", -32601).put("message", "Method not found");
        }
        return out;
    }
}
