package dev.pgcache.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Drives an {@link UpstreamServer} over HTTP: scripts a key's answers, reads its call counts and requests. */
public final class UpstreamControl {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final String baseUrl;

    public UpstreamControl(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** The upstream the test resource started for the running @QuarkusTest application. */
    public static UpstreamControl fromConfig() {
        return new UpstreamControl(ConfigProvider.getConfig().getValue("test.upstream.url", String.class));
    }

    public String baseUrl() {
        return baseUrl;
    }

    public void script(String key, UpstreamServer.Script script) {
        try {
            send(HttpRequest.newBuilder(uri("/__script", key)).PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(script))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void answer(String key, int status, String body, String contentType) {
        script(key, new UpstreamServer.Script(status, body, contentType, null, null, null, null));
    }

    public void slow(String key, int delayMs) {
        script(key, new UpstreamServer.Script(null, null, null, null, delayMs, null, null));
    }

    public int calls(String key) {
        return Integer.parseInt(send(HttpRequest.newBuilder(uri("/__calls", key)).GET()));
    }

    public List<Map<String, Object>> requests(String key) {
        try {
            return JSON.readValue(send(HttpRequest.newBuilder(uri("/__requests", key)).GET()), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path, String key) {
        return URI.create(baseUrl + path + "?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20"));
    }

    private static String send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) {
                throw new IllegalStateException("upstream control answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
