package dev.pgcache.rpc;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.restassured.response.Response;

/** Calls through the proxy and straight to the nodes, and reads the counting relay, for the proxy tests. */
final class Rpc {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final AtomicLong IDS = new AtomicLong(1000);

    private Rpc() {
    }

    static String url(String property) {
        return ConfigProvider.getConfig().getValue(property, String.class);
    }

    /** A request object with a fresh numeric id. */
    static ObjectNode request(String method, Object... params) {
        ObjectNode r = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", IDS.incrementAndGet()).put("method", method);
        ArrayNode p = r.putArray("params");
        for (Object o : params) {
            p.add(JSON.valueToTree(o));
        }
        return r;
    }

    static Response post(String upstream, String body) {
        return given().contentType("application/json").body(body).post("/v1/rpc/" + upstream);
    }

    /** The proxy's answer to one request, status 200 checked. */
    static JsonNode proxy(String upstream, JsonNode request) {
        return read(post(upstream, request.toString()).then().statusCode(200).extract().asString());
    }

    /** The result of one call through the proxy (fails on a JSON-RPC error). */
    static JsonNode proxyResult(String upstream, String method, Object... params) {
        JsonNode a = proxy(upstream, request(method, params));
        if (a.has("error")) {
            throw new AssertionError(method + " through the proxy failed: " + a);
        }
        return a.get("result");
    }

    /** The answer of a node to a body, bypassing pgcache. */
    static JsonNode direct(String url, String body) {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            return read(r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The result of one call straight to Anvil. */
    static JsonNode anvil(String method, Object... params) {
        JsonNode a = direct(url("test.anvil.url"), request(method, params).toString());
        if (a.has("error")) {
            throw new AssertionError(method + " on Anvil failed: " + a);
        }
        return a.get("result");
    }

    /**
     * The receipt of a sent transaction once Anvil has mined it. Anvil's automine answers eth_sendTransaction before the block
     * holding it exists, so a receipt asked for at once can still be null (CI run of 2026-12-01 08:50).
     */
    static JsonNode minedReceipt(String txHash) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> anvil("eth_getTransactionReceipt", txHash), r -> r != null && !r.isNull());
    }

    /** Requests of this method that reached Anvil through the relay. */
    static int calls(String method) {
        return Integer.parseInt(get(url("test.rpc.relay.url") + "/__calls?method=" + method));
    }

    /** The params of every request of this method that reached Anvil through the relay, in order. */
    static JsonNode relayed(String method) {
        return read(get(url("test.rpc.relay.url") + "/__params?method=" + method));
    }

    /** HTTP posts that reached Anvil through the relay. */
    static int posts() {
        return Integer.parseInt(get(url("test.rpc.relay.url") + "/__posts"));
    }

    static void delay(String method, int ms) {
        put(url("test.rpc.relay.url") + "/__delay?method=" + method + "&ms=" + ms);
    }

    static int substrateCalls(String method) {
        return Integer.parseInt(get(url("test.substrate.url") + "/__calls?method=" + method));
    }

    static String get(String url) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void put(String url) {
        try {
            CLIENT.send(HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    static String hex(long n) {
        return "0x" + Long.toHexString(n);
    }

    static long number(JsonNode hex) {
        return Long.decode(hex.asText());
    }

    /** The value of one series on the service's Prometheus page, e.g. {@code pgcache_rpc_head{upstream="anvil"}}; 0 when absent. */
    static double metric(String series) {
        String prefix = series + " ";
        return given().get("/q/metrics").asString().lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst().orElse(0);
    }
}
