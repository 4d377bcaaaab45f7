package dev.pgcache.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real Prometheus (Debian's package) on a free loopback port, its data in a temporary folder,
 * for the tests that query what it scraped from pgcache. Installed with apt-get when missing;
 * when it cannot be installed or does not start, the test fails, it never skips. Closing it
 * stops the process and deletes the folder.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Process process;
    private final String base;

    private PrometheusServer(Path dir, Process process, String base) {
        this.dir = dir;
        this.process = process;
        this.base = base;
    }

    /** Starts Prometheus with {@code config} (prometheus.yml text), its data under {@code dir}, and waits until it is ready. */
    public static PrometheusServer start(Path dir, String config) throws IOException, InterruptedException {
        String binary = DebianPackages.installed("prometheus", "/usr/bin/prometheus");
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config);
        int port = freePort();
        Process p = new ProcessBuilder(binary, "--config.file=" + file, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(dir, p, "http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!server.ready()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                String log = Files.readString(dir.resolve("prometheus.log"));
                server.close();
                throw new IllegalStateException("Prometheus did not start:\n" + log);
            }
            Thread.sleep(200);
        }
        return server;
    }

    /** Installs (when missing) Debian's prometheus package, whose promtool the rule tests run. */
    public static String promtool() {
        return DebianPackages.installed("prometheus", "/usr/bin/promtool");
    }

    /** The result array of an instant query; throws when Prometheus refuses the query. */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IllegalArgumentException("Prometheus refused " + promql + ": " + r.body());
        }
        return body.path("data").path("result");
    }

    /** What Prometheus says of its scrape targets (health, last error). */
    public String targets() throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/targets")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private boolean ready() {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
