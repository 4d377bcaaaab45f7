package dev.pgcache.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;

/**
 * A real HTTP upstream on 127.0.0.1 for read-through tests: it counts its calls per key and
 * answers as each key's script says (status, body, content type, headers, delay, failing the
 * first N calls). Tests drive it over HTTP ({@link UpstreamControl}), so it serves a test in
 * any class loader and a second service process alike.
 *
 * <ul>
 * <li>{@code GET /values/<key>} and {@code GET /q?id=<key>}: the upstream itself; an unscripted
 * key answers 200 {@code {"key": <key>, "call": <n>}}.</li>
 * <li>{@code PUT /__script?key=K} with a JSON {@link Script}: how K is answered from now on.</li>
 * <li>{@code GET /__calls?key=K}: how many times K was fetched.</li>
 * <li>{@code GET /__requests?key=K}: the raw URI and headers of each fetch of K.</li>
 * </ul>
 */
public final class UpstreamServer extends LoopbackNode {

    /** How one key is answered. Null fields take the defaults of an unscripted key. */
    public record Script(Integer status, String body, String contentType, Map<String, String> headers, Integer delayMs,
            Integer failFirst, Integer failStatus) {
    }

    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final Map<String, List<Map<String, Object>>> requests = new ConcurrentHashMap<>();

    private UpstreamServer() {
    }

    public static UpstreamServer start() {
        UpstreamServer s = new UpstreamServer();
        s.serve("test-upstream");
        return s;
    }

    @Override
    protected void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String rawQuery = ex.getRequestURI().getRawQuery();
            if (path.startsWith("/__")) {
                control(ex, path, param(rawQuery, "key"));
                return;
            }
            String key;
            if (path.startsWith("/values/")) {
                key = Exchanges.decode(path.substring("/values/".length()));
            } else if (path.equals("/q")) {
                key = param(rawQuery, "id");
            } else {
                send(ex, 400, "text/plain", "unknown path " + path, Map.of());
                return;
            }
            fetch(ex, key == null ? "" : key);
        }
    }

    private void fetch(HttpExchange ex, String key) throws IOException {
        int call = calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        Map<String, Object> seen = new LinkedHashMap<>();
        seen.put("rawUri", ex.getRequestURI().getRawPath() + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()));
        seen.put("host", ex.getRequestHeaders().getFirst("Host"));
        Map<String, String> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(java.util.Locale.ROOT), String.join(",", values)));
        seen.put("headers", headers);
        requests.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(seen);

        Script s = scripts.getOrDefault(key, new Script(null, null, null, null, null, null, null));
        if (s.delayMs() != null && s.delayMs() > 0) {
            try {
                TimeUnit.MILLISECONDS.sleep(s.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (s.failFirst() != null && call <= s.failFirst()) {
            send(ex, s.failStatus() == null ? 503 : s.failStatus(), "text/plain", "failing call " + call, Map.of());
            return;
        }
        int status = s.status() == null ? 200 : s.status();
        String body = s.body() != null ? s.body() : JSON.writeValueAsString(Map.of("key", key, "call", call));
        String type = s.contentType() != null ? s.contentType() : "application/json";
        send(ex, status, type, body, s.headers() == null ? Map.of() : s.headers());
    }

    private void control(HttpExchange ex, String path, String key) throws IOException {
        switch (path) {
            case "/__script" -> {
                try (InputStream in = ex.getRequestBody()) {
                    scripts.put(key, JSON.readValue(in, Script.class));
                }
                send(ex, 204, null, "", Map.of());
            }
            case "/__calls" -> send(ex, 200, "text/plain", Integer.toString(calls.getOrDefault(key, new AtomicInteger()).get()), Map.of());
            case "/__requests" -> send(ex, 200, "application/json",
                    JSON.writeValueAsString(requests.getOrDefault(key, new ArrayList<>())), Map.of());
            default -> send(ex, 404, "text/plain", "no control " + path, Map.of());
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body, Map<String, String> headers) throws IOException {
        Exchanges.send(ex, status, type, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    private static String param(String rawQuery, String name) {
        return Exchanges.query(rawQuery).get(name);
    }
}
