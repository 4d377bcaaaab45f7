package dev.pgcache.testing;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Another caller of the service while a test abuses it: reads one small entry in a loop on its
 * own thread and its own connection, and records every answer that is not a 200. The abuse must
 * leave it untouched. It checks that requests keep succeeding, not how fast: timings on a shared
 * two-core machine prove nothing.
 */
public final class WellBehavedClient implements AutoCloseable {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final HttpRequest request;
    private final AtomicInteger ok = new AtomicInteger();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    private WellBehavedClient(URI uri) {
        this.request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TestKeys.ALL).GET().build();
        this.thread = Thread.ofPlatform().name("well-behaved-client").daemon().start(this::loop);
    }

    /** Starts reading {@code uri} (an entry that exists) and returns once the first read succeeded. */
    public static WellBehavedClient reading(URI uri) {
        WellBehavedClient c = new WellBehavedClient(uri);
        await("the well-behaved client's first read").atMost(Duration.ofSeconds(30)).until(() -> c.ok.get() > 0 || !c.failures.isEmpty());
        return c;
    }

    private void loop() {
        while (running) {
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    failures.add(r.statusCode() + " " + r.body());
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failures.add(e.toString());
            }
        }
    }

    /**
     * Runs {@code abuse} on {@code threads} threads at once while this client reads, waits for
     * all of them (at most two minutes) and for a few more reads of this client after them.
     *
     * @return what each abusing thread returned (e.g. the statuses it was answered with)
     */
    public <T> List<T> whileAbusing(int threads, Callable<T> abuse) throws Exception {
        ExecutorService abusers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<T>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                running.add(abusers.submit(abuse));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : running) {
                results.add(f.get(120, TimeUnit.SECONDS));
            }
            awaitMoreReads();
            return results;
        } finally {
            abusers.shutdownNow();
        }
    }

    /** Reads that succeeded so far. */
    public int succeeded() {
        return ok.get();
    }

    /** Every answer that was not a 200, or the exception instead of an answer. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Waits until a few more reads succeed after now: the service still answers others once the abuse is over. */
    public void awaitMoreReads() {
        int now = ok.get();
        await("more reads of the well-behaved client").atMost(Duration.ofSeconds(30)).until(() -> ok.get() >= now + 3 || !failures.isEmpty());
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(Duration.ofSeconds(30));
    }
}
