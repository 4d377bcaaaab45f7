package dev.pgcache.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a {@link UpstreamServer} on loopback before the application and declares the
 * read-through namespaces the tests use, each with the settings its tests need:
 *
 * <ul>
 * <li>{@code rt}: plain; ttl 60 s, stale 120 s, no retries, no circuit breaker</li>
 * <li>{@code rt-neg}: like rt, with negative-ttl 30 s</li>
 * <li>{@code rt-fail}: timeout 300 ms, 2 retries 20 ms apart</li>
 * <li>{@code rt-cb}: circuit breaker over 4 calls, half failing opens it for 4 s</li>
 * <li>{@code rt-maxage}: honor-max-age</li>
 * <li>{@code rt-wait}: wait-timeout 400 ms</li>
 * <li>{@code rt-secret}: request headers whose values come from a config expression</li>
 * <li>{@code rt-query}: {key} in the query</li>
 * <li>{@code rt-relaxed}: like rt, with durability=relaxed</li>
 * </ul>
 * The upstream's URL is {@code test.upstream.url}; the secret is {@code test.upstream.secret}.
 */
public class UpstreamTestResource implements QuarkusTestResourceLifecycleManager {

    private UpstreamServer server;

    @Override
    public Map<String, String> start() {
        server = UpstreamServer.start();
        String base = server.baseUrl();
        Map<String, String> c = new HashMap<>();
        c.put("test.upstream.url", base);
        c.put("test.upstream.secret", "s3cr3t-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        plain(c, "rt", base + "/values/{key}");
        plain(c, "rt-neg", base + "/values/{key}");
        c.put(p("rt-neg", "negative-ttl"), "30s");
        plain(c, "rt-fail", base + "/values/{key}");
        c.put(p("rt-fail", "timeout"), "300ms");
        c.put(p("rt-fail", "retry.max-retries"), "2");
        c.put(p("rt-fail", "retry.delay"), "20ms");
        plain(c, "rt-cb", base + "/values/{key}");
        c.put(p("rt-cb", "circuit-breaker.enabled"), "true");
        c.put(p("rt-cb", "circuit-breaker.request-volume-threshold"), "4");
        c.put(p("rt-cb", "circuit-breaker.failure-ratio"), "0.5");
        c.put(p("rt-cb", "circuit-breaker.delay"), "4s");
        plain(c, "rt-maxage", base + "/values/{key}");
        c.put(p("rt-maxage", "honor-max-age"), "true");
        plain(c, "rt-wait", base + "/values/{key}");
        c.put(p("rt-wait", "wait-timeout"), "400ms");
        plain(c, "rt-secret", base + "/values/{key}");
        c.put(p("rt-secret", "headers.Authorization"), "Bearer ${test.upstream.secret}");
        c.put(p("rt-secret", "headers.X-Api-Key"), "${test.upstream.secret}");
        plain(c, "rt-query", base + "/q?id={key}&fixed=1");
        plain(c, "rt-relaxed", base + "/values/{key}");
        c.put("pgcache.namespaces.rt-relaxed.durability", "relaxed");
        return c;
    }

    private static void plain(Map<String, String> c, String ns, String url) {
        c.put("pgcache.namespaces." + ns + ".ttl", "60s");
        c.put("pgcache.namespaces." + ns + ".stale", "120s");
        c.put(p(ns, "url"), url);
        c.put(p(ns, "timeout"), "2s");
        c.put(p(ns, "wait-timeout"), "5s");
        c.put(p(ns, "retry.max-retries"), "0");
        c.put(p(ns, "circuit-breaker.enabled"), "false");
    }

    private static String p(String ns, String property) {
        return "pgcache.namespaces." + ns + ".upstream." + property;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
