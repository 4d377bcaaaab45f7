package dev.pgcache.testing;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * A tiny JSON-RPC server on loopback that answers the Substrate methods the proxy's policy and
 * chain tracker use, over a made-up chain: block n has hash {@code 0x<fork><n>} padded to 32
 * bytes, the head is {@link #head}, the finalized block is head minus 2. It is a stand-in: no
 * Substrate node can be installed from npm for the tests. Steered over HTTP:
 * <ul>
 * <li>{@code GET /__calls?method=M}: callers' requests of method M answered so far (not the chain tracker's, id "pgcache-head")</li>
 * <li>{@code PUT /__head?n=N}: the head is now N</li>
 * <li>{@code PUT /__fork?from=H}: blocks from H up get new hashes (a re-org)</li>
 * </ul>
 */
public final class FakeSubstrateNode extends LoopbackNode {

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private volatile long head = 100;
    private volatile long forkFrom = Long.MAX_VALUE;
    private volatile int forks;

    private FakeSubstrateNode() {
    }

    public static FakeSubstrateNode start() {
        FakeSubstrateNode node = new FakeSubstrateNode();
        node.serve("fake-substrate-node");
        return node;
    }

    private String hashOf(long n) {
        int fork = n >= forkFrom ? forks : 0;
        String hex = Integer.toHexString(fork) + "f" + Long.toHexString(n);
        return "0x" + "0".repeat(64 - hex.length()) + hex;
    }

    private Long numberOf(String hash) {
        for (long n = head; n >= 0 && n > head - 1000; n--) {
            if (hashOf(n).equals(hash)) {
                return n;
            }
        }
        return null;
    }

    @Override
    protected void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Map<String, String> q = Exchanges.query(ex.getRequestURI().getRawQuery());
            switch (path) {
                case "/__calls" -> Exchanges.sendText(ex, 200, Integer.toString(calls.getOrDefault(q.get("method"), new AtomicInteger()).get()));
                case "/__head" -> {
                    head = Long.parseLong(q.get("n"));
                    Exchanges.sendText(ex, 204, "");
                }
                case "/__fork" -> {
                    forks++;
                    forkFrom = Long.parseLong(q.get("from"));
                    Exchanges.sendText(ex, 204, "");
                }
                default -> rpc(ex);
            }
        }
    }

    private void rpc(HttpExchange ex) throws IOException {
        JsonNode answer = answerAll(JSON.readTree(ex.getRequestBody().readAllBytes()), this::answer);
        Exchanges.sendJson(ex, 200, answer == null ? new byte[0] : JSON.writeValueAsBytes(answer));
    }

    private JsonNode answer(JsonNode r) {
        String method = r.path("method").asText();
        if (!r.path("id").asText().equals("pgcache-head")) { // the chain tracker's own calls are not counted
            calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
        }
        JsonNode params = r.path("params");
        ObjectNode out = JSON.createObjectNode().put("jsonrpc", "2.0");
        out.set("id", r.get("id"));
        switch (method) {
            case "system_chain" -> out.put("result", "Development");
            case "chain_getFinalizedHead" -> out.put("result", hashOf(head - 2));
            case "chain_getBlockHash" -> {
                JsonNode p = params.path(0);
                long n = p.isMissingNode() || p.isNull() ? head : p.isTextual() ? Long.decode(p.asText()) : p.asLong();
                if (n > head) {
                    out.putNull("result");
                } else {
                    out.put("result", hashOf(n));
                }
            }
            case "chain_getHeader", "chain_getBlock" -> {
                JsonNode p = params.path(0);
                Long n = p.isMissingNode() || p.isNull() ? Long.valueOf(head) : numberOf(p.asText());
                if (n == null) {
                    out.putNull("result");
                } else {
                    ObjectNode header = JSON.createObjectNode().put("number", "0x" + Long.toHexString(n))
                            .put("parentHash", n == 0 ? hashOf(0) : hashOf(n - 1));
                    if (method.equals("chain_getHeader")) {
                        out.set("result", header);
                    } else {
                        ObjectNode block = out.putObject("result").putObject("block");
                        block.set("header", header);
                        block.putArray("extrinsics");
                    }
                }
            }
            case "state_getStorage" -> out.put("result", "0x" + Integer.toHexString(params.path(0).asText().hashCode()) + "00");
            case "author_submitExtrinsic" -> out.put("result", hashOf(head + 1 + calls.getOrDefault(method, new AtomicInteger()).get()));
            default -> out.putObject("error").put("code", -32601).put("message", "Method not found");
        }
        return r.has("id") ? out : null;
    }

    /** Answers of this fake chain the tests compare with: the hash of block n now. */
    String currentHashOf(long n) {
        return hashOf(n);
    }
}
