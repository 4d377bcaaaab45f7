package dev.pgcache.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/** Answers and query strings of the tests' loopback servers, written once. */
public final class Exchanges {

    private Exchanges() {
    }

    /** Sends the body (none when empty) with the content type (none when null) and extra headers. */
    public static void send(HttpExchange ex, int status, String type, byte[] body, Map<String, String> headers) throws IOException {
        if (type != null) {
            ex.getResponseHeaders().set("Content-Type", type);
        }
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    public static void sendText(HttpExchange ex, int status, String text) throws IOException {
        send(ex, status, null, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static void sendJson(HttpExchange ex, int status, byte[] json) throws IOException {
        send(ex, status, "application/json", json, Map.of());
    }

    /** The query's parameters, percent-decoded strictly ('+' stays a plus, as in a path); the first of a name wins. */
    public static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    q.putIfAbsent(kv.substring(0, eq), decode(kv.substring(eq + 1)));
                }
            }
        }
        return q;
    }

    /** Strict percent-decoding ('+' stays a plus, as in a path). */
    public static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
