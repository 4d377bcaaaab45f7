package dev.pgcache.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

/**
 * A loopback relay in front of a JSON-RPC node that counts what pgcache sends it: HTTP posts,
 * and callers' requests per method (inside batches too; the chain tracker's own calls, with id
 * "pgcache-head", are not counted). Tests read and steer it over HTTP, so it works
 * from any class loader:
 * <ul>
 * <li>{@code GET /__calls?method=M}: requests of method M relayed so far</li>
 * <li>{@code GET /__posts}: HTTP posts with callers' requests relayed so far (a batch is one)</li>
 * <li>{@code GET /__own?method=M}: pgcache's own requests (id "pgcache-head": head polls, the chain tracker) of method M relayed so far</li>
   * <li>{@code GET /__params?method=M}: the params of every request of method M relayed so far, a JSON array in the order relayed</li>
   * <li>{@code PUT /__delay?method=M&ms=N}: hold every post carrying M (or any caller's method, for M "*") for N ms before relaying it</li>
   * <li>{@code PUT /__fail?status=N}: answer every post carrying callers' requests with HTTP N, without relaying it (0: relay again)</li>
   * <li>{@code PUT /__error?code=N}: answer every such post with a JSON-RPC error of code N (HTTP 200), without relaying it (0: relay again)</li>
 * </ul>
 * A node that does not answer (killed) makes the relay answer HTTP 502, as a reverse proxy would.
 */
public final class RpcRelay extends LoopbackNode {

    private final URI target;
    private final HttpClient client = HttpClient.newHttpClient();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> own = new ConcurrentHashMap<>();
    private final Map<String, Integer> delays = new ConcurrentHashMap<>();
    private final AtomicInteger posts = new AtomicInteger();
    private volatile int failWith;
    private volatile int errorCode;
    private final Map<String, List<JsonNode>> params = new ConcurrentHashMap<>();

    private RpcRelay(URI target) {
        this.target = target;
    }

    public static RpcRelay start(String targetUrl) {
        RpcRelay relay = new RpcRelay(URI.create(targetUrl));
        relay.serve("test-rpc-relay");
        return relay;
    }

    @Override
    protected void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Map<String, String> q = Exchanges.query(ex.getRequestURI().getRawQuery());
            switch (path) {
                case "/__calls" -> Exchanges.sendText(ex, 200, Integer.toString(calls.getOrDefault(q.get("method"), new AtomicInteger()).get()));
                case "/__own" -> Exchanges.sendText(ex, 200, Integer.toString(own.getOrDefault(q.get("method"), new AtomicInteger()).get()));
                case "/__posts" -> Exchanges.sendText(ex, 200, Integer.toString(posts.get()));
                case "/__error" -> {
                    errorCode = Integer.parseInt(q.get("code"));
                    Exchanges.sendText(ex, 204, "");
                }
                case "/__fail" -> {
                    failWith = Integer.parseInt(q.get("status"));
                    Exchanges.sendText(ex, 204, "");
                }
                case "/__params" -> Exchanges.sendJson(ex, 200, JSON.writeValueAsBytes(List.copyOf(params.getOrDefault(q.get("method"), List.of()))));
                case "/__delay" -> {
                    delays.put(q.get("method"), Integer.parseInt(q.get("ms")));
                    Exchanges.sendText(ex, 204, "");
                }
                default -> relay(ex);
            }
        } catch (RuntimeException e) {
            Exchanges.sendText(ex, 500, String.valueOf(e));
        }
    }

    private void relay(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        int delay = 0;
        boolean callers = false;
        try {
            JsonNode request = JSON.readTree(body);
            for (JsonNode item : request.isArray() ? request : JSON.createArrayNode().add(request)) {
                String method = item.path("method").asText();
                if (item.path("id").asText().equals("pgcache-head")) {
                    own.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
                    continue; // pgcache's chain tracker, not a caller's request
                }
                callers = true;
                calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
                params.computeIfAbsent(method, m -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(item.path("params"));
                delay = Math.max(delay, Math.max(delays.getOrDefault(method, 0), delays.getOrDefault("*", 0)));
            }
        } catch (IOException e) {
            callers = true; // relayed as it is: the node says what is wrong with it
        }
        if (callers) {
            posts.incrementAndGet();
            if (failWith > 0) {
                Exchanges.sendText(ex, failWith, "failing on purpose");
                return;
            }
            if (errorCode != 0) {
                Exchanges.sendJson(ex, 200, ("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":" + errorCode
                        + ",\"message\":\"failing on purpose\"}}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                return;
            }
        }
        try {
            if (delay > 0) {
                Thread.sleep(delay); // the test asked for a slow node, to keep identical requests in flight together
            }
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(target).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
            Exchanges.sendJson(ex, r.statusCode(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Exchanges.sendText(ex, 503, "interrupted");
        } catch (IOException e) {
            Exchanges.sendText(ex, 502, "the node does not answer: " + e);
        }
    }
}
