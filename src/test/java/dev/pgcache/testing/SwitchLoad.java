package dev.pgcache.testing;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writers and readers on the service while its database switches primaries: each writer PUTs
 * keys of its own, never the same twice, and remembers the ones acknowledged with a 2xx and their
 * values; each reader GETs acknowledged keys. Every answer is recorded with its status, its
 * Retry-After and when it started and ended (System.nanoTime), to be judged afterwards.
 */
public final class SwitchLoad implements AutoCloseable {

    /** One request and its answer; status 0 when no answer came (a refused or broken connection, a client timeout). */
    public record Outcome(String method, String key, int status, String retryAfter, String body, long startNanos, long endNanos) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public double seconds() {
            return (endNanos - startNanos) / 1e9;
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Longer than any bound of the service, so that a request that hangs is measured rather than cut short. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

    private final List<Replica> replicas;
    private final String namespace;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    private final List<String> acknowledgedKeys = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    public SwitchLoad(List<Replica> replicas, String namespace, int writers, int readers) {
        this.replicas = replicas;
        this.namespace = namespace;
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads.add(Thread.ofPlatform().name("switch-writer-" + w).start(() -> write(writer)));
        }
        for (int r = 0; r < readers; r++) {
            int reader = r;
            threads.add(Thread.ofPlatform().name("switch-reader-" + r).start(() -> read(reader)));
        }
    }

    private void write(int writer) {
        for (int i = 0; running.get(); i++) {
            String key = "w" + writer + "-" + i;
            String value = "{\"writer\": " + writer + ", \"i\": " + i + "}";
            Replica replica = replicas.get(i % replicas.size());
            Outcome o = send("PUT", key, replica.request(path(key)).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(value)));
            if (o.ok()) {
                acknowledged.put(key, value);
                acknowledgedKeys.add(key);
            }
        }
    }

    private void read(int reader) {
        for (int i = 0; running.get(); i++) {
            if (acknowledgedKeys.isEmpty()) {
                pause(10);
                continue;
            }
            String key = acknowledgedKeys.get(ThreadLocalRandom.current().nextInt(acknowledgedKeys.size()));
            Replica replica = replicas.get((i + reader) % replicas.size());
            send("GET", key, replica.request(path(key)).GET());
        }
    }

    private String path(String key) {
        return "/v1/cache/" + namespace + "/" + key;
    }

    private Outcome send(String method, String key, HttpRequest.Builder request) {
        long start = System.nanoTime();
        Outcome o;
        try {
            HttpResponse<String> r = HTTP.send(request.timeout(CLIENT_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
            o = new Outcome(method, key, r.statusCode(), r.headers().firstValue("Retry-After").orElse(null), r.body(), start,
                    System.nanoTime());
        } catch (IOException e) {
            o = new Outcome(method, key, 0, null, e.toString(), start, System.nanoTime());
            pause(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            o = new Outcome(method, key, 0, null, "interrupted", start, System.nanoTime());
            running.set(false);
        }
        outcomes.add(o);
        return o;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The keys acknowledged with a 2xx so far, and the value each was written with. */
    public Map<String, String> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    public int acknowledgedCount() {
        return acknowledgedKeys.size();
    }

    /** Every answer so far. */
    public List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    /** Stops the writers and readers and waits for their last requests. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(CLIENT_TIMEOUT.toMillis() + 5_000);
        }
    }
}
