package dev.pgcache.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pgcache.testing.HaCluster;
import dev.pgcache.testing.PackagedReplicas;
import dev.pgcache.testing.Replica;
import dev.pgcache.testing.SwitchLoad;
import dev.pgcache.testing.SwitchLoad.Outcome;
import dev.pgcache.testing.TestKeys;
import dev.pgcache.testing.UpstreamControl;
import dev.pgcache.testing.UpstreamServer;

/**
 * The service against a highly available PostgreSQL (scripts/ha-cluster.sh: two nodes under
 * Patroni with etcd, synchronous replication) while the primary changes: killed with SIGKILL
 * (Patroni and PostgreSQL of the primary's "machine" at once), and, in a test of its own, handed
 * over by a planned {@code patronictl switchover}. Two service processes (the packaged
 * application) take the multi-host URL with {@code targetServerType=primary} for the pool,
 * Flyway and the near cache's LISTEN, under 8 writers and 8 readers.
 *
 * <p>What must hold: every write acknowledged with a 2xx is on the new primary with its value;
 * every other answer is a 503 with Retry-After, none slower than the service's bounds; normal
 * answers again within 15 s of the promotion, without restarting anything; and then, on the new
 * primary, the near cache's listener, the single-flight load lock across the two processes, the
 * hit flush and the purge all work, the purge lock never held twice at once on the two nodes
 * together. The figures are printed (docs/operations.md, "Running against Patroni", quotes them).
 * Each test starts and removes its own cluster: about two minutes each on 2 cores.
 */
class FailoverIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String LISTENING = "pgcache_near_cache_listening";
    private static final String RECONNECTS = "pgcache_near_cache_listener_reconnects_total";
    /** pgcache.purge.lock-key's default. */
    private static final long PURGE_LOCK_KEY = 7064677072756765L;
    /** The longest a request may take: 3 s for a pooled connection, then at most 10 s for its statement, plus 2 s of slack for a busy machine. */
    private static final double LONGEST_REQUEST_SECONDS = 15;
    private static final double RECOVERY_BOUND_SECONDS = 15;
    /** Rows for the purge to work through, 100 a batch, while the primary changes. */
    private static final int EXPIRED_ROWS = 20_000;

    private enum Switch {
        FAILOVER("failover (kill -9 of the primary)"), SWITCHOVER("planned switchover");

        final String title;

        Switch(String title) {
            this.title = title;
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // every wait inside is bounded; this bounds them all together
    void aKilledPrimaryLosesNoAcknowledgedWriteAndTheServiceRecoversOnTheNewOne() throws Exception {
        run(Switch.FAILOVER);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aPlannedSwitchoverLosesNoAcknowledgedWriteAndTheServiceRecoversOnTheNewPrimary() throws Exception {
        run(Switch.SWITCHOVER);
    }

    private static void run(Switch kind) throws Exception {
        try (HaCluster cluster = HaCluster.start();
                UpstreamServer upstream = UpstreamServer.start();
                PackagedReplicas replicas = new PackagedReplicas(cluster.serviceConfig())) {
            List<Replica> started = new ArrayList<>();
            try {
                started.add(replicas.start(kind.name().toLowerCase() + "-a", serviceConfig(upstream)));
                started.add(replicas.start(kind.name().toLowerCase() + "-b", serviceConfig(upstream)));
                scenario(kind, cluster, upstream, started.get(0), started.get(1));
            } catch (Throwable t) {
                System.out.println("FailoverIT " + kind + " failed; the cluster:\n" + cluster.status() + "\n" + cluster.logs());
                for (Replica r : started) {
                    System.out.println("----- service " + r.name() + " (last 80 lines)");
                    List<String> lines = Files.readAllLines(r.log());
                    lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.out::println);
                }
                throw t;
            }
        }
    }

    private static Map<String, String> serviceConfig(UpstreamServer upstream) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("pgcache.purge.enabled", "true");
        config.put("pgcache.purge.interval", "1s");
        config.put("pgcache.purge.batch-size", "100");
        config.put("pgcache.hits.flush-interval", "1s");
        config.put("pgcache.hits.sample-one-in", "1");
        config.put("pgcache.namespaces.rt.ttl", "60s");
        config.put("pgcache.namespaces.rt.upstream.url", upstream.baseUrl() + "/values/{key}");
        config.put("pgcache.namespaces.rt.upstream.wait-timeout", "15s");
        config.put("pgcache.namespaces.rt.upstream.timeout", "10s");
        return config;
    }

    private static void scenario(Switch kind, HaCluster cluster, UpstreamServer upstream, Replica a, Replica b) throws Exception {
        String oldPrimary = cluster.primary();
        String next = cluster.nodes().stream().filter(n -> !n.equals(oldPrimary)).findFirst().orElseThrow();
        double reconnectsA = a.metric(RECONNECTS);
        double reconnectsB = b.metric(RECONNECTS);

        try (PrimaryWatch watch = new PrimaryWatch(cluster, next)) {
            SwitchLoad load = new SwitchLoad(List.of(a, b), "ha", 8, 8);
            long switched;
            long promoted;
            try (load) {
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledgedCount() >= 200);
                // work for the purge, in batches of 100 with pauses: it holds its lock now and then while the primary changes
                expiredRows(cluster, EXPIRED_ROWS);
                Awaitility.await("the purge at work").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                        .until(() -> watch.samplesHeld() > 0);
                switched = System.nanoTime();
                System.out.println(kind == Switch.FAILOVER ? cluster.failover() : cluster.switchover());
                promoted = watch.awaitPromotion(Duration.ofSeconds(90));
                // the load goes on until answers have been normal for 5 s, at most 45 s after the promotion
                while (true) {
                    Thread.sleep(250);
                    long now = System.nanoTime();
                    long lastFailure = load.outcomes().stream().filter(o -> !o.ok()).mapToLong(Outcome::endNanos).max().orElse(promoted);
                    if ((now - promoted > 5e9 && now - lastFailure > 5e9) || now - promoted > 45e9) {
                        break;
                    }
                }
            }
            System.out.println("FailoverIT " + kind.title + ", the nodes as seen every 50 ms:" + watch.transitions(switched));
            System.out.println("FailoverIT " + kind.title + ", answers 2xx/503 by second after the switch began, around the failures: "
                    + timeline(load.outcomes(), switched));
            Figures figures = judge(kind, load.outcomes(), load.acknowledged(), lost(cluster, load.acknowledged()), watch.lastPrimaryAnswer(),
                    promoted);

            // nothing was restarted: the same two processes follow the new primary
            assertTrue(a.process().isAlive() && b.process().isAlive(), "neither service process died");
            awaitListening(a, reconnectsA);
            awaitListening(b, reconnectsB);
            double nearMillis = changeBySqlReachesTheNearCache(cluster, a, b);
            loadLockIsSingleFlightAcrossReplicas(upstream, a, b);
            long hits = hitsAreFlushed(cluster, a);
            purgeRunsOnTheNewPrimary(cluster, a, b);
            watch.close();
            assertTrue(watch.maxPrimaries() <= 1, "two primaries at once");
            assertTrue(watch.maxPurgeLockHolders() <= 1, "the purge lock was held " + watch.maxPurgeLockHolders() + " times at once");
            System.out.printf("FailoverIT %s: %s; afterwards on the new primary: an UPDATE in SQL reached the near cache in %.0f ms, "
                    + "one upstream call for 20 concurrent misses over 2 processes, %d hits flushed, the %d expired rows purged by the "
                    + "scheduled job; never two primaries, the purge lock held by at most %d session at once on both nodes together "
                    + "(%d samples, %d with a holder)%n",
                    kind.title, figures, nearMillis, hits, EXPIRED_ROWS, watch.maxPurgeLockHolders(), watch.samples(), watch.samplesHeld());
        }
    }

    /** The figures of one switch, as docs/operations.md quotes them. */
    private record Figures(int acknowledged, int lost, long unavailable, int requests, double longest, double withoutPrimary,
            double firstNormal, double lastUnavailable) {
        @Override
        public String toString() {
            return "%d writes acknowledged, %d lost; %d of %d answers were 503 with Retry-After, no other error; longest request %.1f s; "
                    .formatted(acknowledged, lost, unavailable, requests, longest)
                    + "no primary for %.1f s (from the old one's last answer as primary to the promotion); first normal answer %.1f s "
                            .formatted(withoutPrimary, firstNormal)
                    + "after the promotion, last 503 %.1f s after it".formatted(lastUnavailable);
        }
    }

    private static Figures judge(Switch kind, List<Outcome> outcomes, Map<String, String> acknowledged, List<String> lost, long gone,
            long promoted) {
        List<Outcome> failures = outcomes.stream().filter(o -> !o.ok()).toList();
        List<Outcome> notUnavailable = failures.stream().filter(o -> o.status() != 503 || o.retryAfter() == null).toList();
        double longest = outcomes.stream().mapToDouble(Outcome::seconds).max().orElse(0);
        double firstNormal = outcomes.stream().filter(o -> o.ok() && o.startNanos() >= promoted).mapToLong(Outcome::endNanos).min()
                .orElse(Long.MAX_VALUE - promoted) - promoted;
        double lastUnavailable = failures.stream().mapToLong(Outcome::endNanos).max().orElse(promoted) - promoted;
        Figures f = new Figures(acknowledged.size(), lost.size(), failures.size(), outcomes.size(), longest, (promoted - gone) / 1e9,
                firstNormal / 1e9, Math.max(0, lastUnavailable) / 1e9);
        System.out.println("FailoverIT " + kind.title + ": " + f);
        assertTrue(notUnavailable.isEmpty(), "answers other than 503 with Retry-After: " + notUnavailable.size() + ", e.g. "
                + notUnavailable.subList(0, Math.min(5, notUnavailable.size())));
        assertTrue(lost.isEmpty(), lost.size() + " acknowledged writes missing or changed on the new primary, e.g. "
                + lost.subList(0, Math.min(5, lost.size())));
        assertTrue(longest < LONGEST_REQUEST_SECONDS, "a request took " + longest + " s");
        assertTrue(f.lastUnavailable() < RECOVERY_BOUND_SECONDS, "503s until " + f.lastUnavailable() + " s after the promotion");
        assertTrue(f.firstNormal() < RECOVERY_BOUND_SECONDS, "the first normal answer came " + f.firstNormal() + " s after the promotion");
        long normalAfter = outcomes.stream().filter(o -> o.ok() && o.startNanos() > promoted + (long) (f.lastUnavailable() * 1e9)).count();
        assertTrue(normalAfter >= 50, "normal answers after the last 503: " + normalAfter);
        assertTrue(acknowledged.size() >= 200);
        return f;
    }

    /**
     * For each second from the one before the first failure to the one after the last, how many
     * answers ended in it, counted from the switch's start: 2xx/503 (other statuses too, if any).
     */
    private static String timeline(List<Outcome> outcomes, long switched) {
        TreeMap<Long, Map<Integer, Integer>> bySecond = new TreeMap<>();
        for (Outcome o : outcomes) {
            if (o.endNanos() >= switched) {
                bySecond.computeIfAbsent((o.endNanos() - switched) / 1_000_000_000L, x -> new TreeMap<>())
                        .merge(o.ok() ? 200 : o.status(), 1, Integer::sum);
            }
        }
        long first = bySecond.entrySet().stream().filter(e -> e.getValue().keySet().stream().anyMatch(s -> s != 200))
                .mapToLong(Map.Entry::getKey).min().orElse(0) - 1;
        long last = bySecond.entrySet().stream().filter(e -> e.getValue().keySet().stream().anyMatch(s -> s != 200))
                .mapToLong(Map.Entry::getKey).max().orElse(0) + 1;
        StringBuilder b = new StringBuilder();
        bySecond.subMap(first, true, last, true).forEach((second, counts) -> b.append(" ").append(second).append("s ").append(counts.getOrDefault(200, 0))
                .append("/").append(counts.getOrDefault(503, 0))
                .append(counts.size() > (counts.containsKey(503) ? 1 : 0) + (counts.containsKey(200) ? 1 : 0) ? counts : ""));
        return b.toString();
    }

    /** The acknowledged keys the primary does not have, or has with another value. */
    private static List<String> lost(HaCluster cluster, Map<String, String> acknowledged) throws Exception {
        Map<String, String> stored = new HashMap<>();
        try (Connection c = cluster.connectToPrimary();
                PreparedStatement ps = c.prepareStatement("SELECT cache_key, value::text FROM pgcache.cache_entry WHERE namespace = 'ha'");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                stored.put(rs.getString(1), rs.getString(2));
            }
        }
        List<String> lost = new ArrayList<>();
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            String value = stored.get(e.getKey());
            if (value == null || !JSON.readTree(value).equals(JSON.readTree(e.getValue()))) {
                lost.add(e.getKey() + "=" + value);
            }
        }
        return lost;
    }

    private static void awaitListening(Replica r, double reconnectsBefore) {
        Awaitility.await("listener of " + r.name() + " listening again on the new primary").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> r.metric(LISTENING) == 1.0 && r.metric(RECONNECTS) > reconnectsBefore);
    }

    /** A key held in B's memory, changed by SQL on the new primary: B answers the new value within the near cache's bound. */
    private static double changeBySqlReachesTheNearCache(HaCluster cluster, Replica a, Replica b) throws Exception {
        String path = "/v1/cache/ha-near/k";
        assertEquals(201, a.send(a.request(path).header("Content-Type", "application/json").PUT(BodyPublishers.ofString("{\"v\": 1}")))
                .statusCode());
        Awaitility.await("B answers the key from memory").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> b.get(path).headers().firstValue("Cache-Status").orElse("").contains("detail=memory"));
        try (Connection c = cluster.connectToPrimary();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE pgcache.cache_entry SET value = '{\"v\": 2}'::jsonb WHERE namespace = 'ha-near' AND cache_key = 'k'")) {
            assertEquals(1, ps.executeUpdate());
        }
        long changed = System.nanoTime();
        AtomicLong seen = new AtomicLong();
        Awaitility.await("B answers the value changed in SQL").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    boolean isNew = JSON.readTree(b.get(path).body()).path("v").asInt() == 2;
                    seen.set(System.nanoTime());
                    return isNew;
                });
        return (seen.get() - changed) / 1e6;
    }

    /** 20 concurrent GETs of a cold key on a slow upstream, split between the two processes: one upstream call. */
    private static void loadLockIsSingleFlightAcrossReplicas(UpstreamServer upstream, Replica a, Replica b) throws Exception {
        UpstreamControl control = new UpstreamControl(upstream.baseUrl());
        String key = "after-switch-" + System.nanoTime();
        control.slow(key, 1500);
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Replica r = i % 2 == 0 ? a : b;
            pending.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(r.base() + "/v1/cache/rt/" + key)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + TestKeys.ALL).GET().build(), HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (CompletableFuture<HttpResponse<String>> f : pending) {
            assertEquals(200, f.get().statusCode(), f.get().body());
        }
        assertEquals(1, control.calls(key), "upstream calls for 20 concurrent misses over two processes");
    }

    /** Reads counted in memory reach hit_count on the new primary by the timed flush. */
    private static long hitsAreFlushed(HaCluster cluster, Replica a) throws Exception {
        String path = "/v1/cache/ha-hits/k";
        assertEquals(201, a.send(a.request(path).header("Content-Type", "application/json").PUT(BodyPublishers.ofString("1"))).statusCode());
        for (int i = 0; i < 5; i++) {
            assertEquals(200, a.get(path).statusCode());
        }
        AtomicLong hits = new AtomicLong();
        Awaitility.await("hits flushed to the new primary").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    hits.set(scalar(cluster, "SELECT coalesce(sum(hit_count), 0) FROM pgcache.cache_entry WHERE namespace = 'ha-hits'"));
                    return hits.get() >= 5;
                });
        return hits.get();
    }

    /** Rows already past their lifetime, for the purge: written in SQL, as a DBA or another writer could. */
    private static void expiredRows(HaCluster cluster, int rows) throws SQLException {
        try (Connection c = cluster.connectToPrimary(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO pgcache.cache_entry (namespace, cache_key, value, expires_at, size_bytes)
                SELECT 'ha-expired', 'e' || g, '1', now() - interval '1 minute', 1 FROM generate_series(1, ?) g""")) {
            ps.setInt(1, rows);
            assertEquals(rows, ps.executeUpdate());
        }
    }

    /**
     * The purge, interrupted by the switch, finishes on the new primary; entries that expire after
     * it are removed by the scheduled job there too, and an on-demand purge answers.
     */
    private static void purgeRunsOnTheNewPrimary(HaCluster cluster, Replica a, Replica b) throws Exception {
        for (int i = 0; i < 20; i++) {
            assertEquals(201, a.send(a.request("/v1/cache/ha-purge/k" + i + "?ttl=1s").header("Content-Type", "application/json")
                    .PUT(BodyPublishers.ofString("1"))).statusCode());
        }
        Awaitility.await("expired rows purged on the new primary").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> scalar(cluster, "SELECT count(*) FROM pgcache.cache_entry WHERE namespace IN ('ha-purge', 'ha-expired')") == 0);
        HttpResponse<String> r = b.send(b.request("/v1/admin/purge").POST(BodyPublishers.noBody()));
        assertEquals(200, r.statusCode(), r.body());
    }

    private static long scalar(HaCluster cluster, String sql) throws SQLException {
        try (Connection c = cluster.connectToPrimary(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Watches each node every 50 ms from before the switch, a thread and a session each: when the
     * standby leaves recovery (the promotion, as the database itself tells), how many nodes are
     * primaries at once, and how many sessions hold the purge lock on the nodes together.
     */
    private static final class PrimaryWatch implements AutoCloseable {

        /** What one node said last, and when (System.nanoTime); primary false and no holders when it did not answer. */
        private record Seen(boolean answered, boolean primary, int holders, long atNanos) {
        }

        /** A node seen in a new state: primary, standby or down. */
        record Transition(String node, String state, long atNanos) {
        }

        private static final long FRESH_NANOS = 500_000_000L;

        private final HaCluster cluster;
        private final String next;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong promoted = new AtomicLong();
        private final AtomicLong lastPrimaryAnswer = new AtomicLong();
        private final Map<String, Seen> last = new ConcurrentHashMap<>();
        private final AtomicInteger maxHolders = new AtomicInteger();
        private final AtomicInteger maxPrimaries = new AtomicInteger();
        private final AtomicInteger samples = new AtomicInteger();
        private final AtomicInteger samplesHeld = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();
        private final List<Transition> transitions = new CopyOnWriteArrayList<>();

        PrimaryWatch(HaCluster cluster, String next) {
            this.cluster = cluster;
            this.next = next;
            for (String node : cluster.nodes()) {
                threads.add(Thread.ofPlatform().daemon().name("watch-" + node).start(() -> watch(node)));
            }
        }

        private void watch(String node) {
            Connection c = null;
            String lastState = "";
            while (running.get()) {
                Seen seen;
                try {
                    if (c == null) {
                        c = cluster.connect(node);
                    }
                    try (PreparedStatement ps = c.prepareStatement("""
                            SELECT NOT pg_is_in_recovery(),
                                   (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
                                      AND classid::bigint = (? >> 32) AND objid::bigint = (? & 4294967295))""")) {
                        ps.setLong(1, PURGE_LOCK_KEY);
                        ps.setLong(2, PURGE_LOCK_KEY);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            seen = new Seen(true, rs.getBoolean(1), rs.getInt(2), System.nanoTime());
                        }
                    }
                } catch (SQLException e) {
                    closeQuietly(c); // down, or restarting: a new session next time
                    c = null;
                    seen = new Seen(false, false, 0, System.nanoTime());
                }
                if (node.equals(next) && seen.primary()) {
                    promoted.compareAndSet(0, seen.atNanos());
                } else if (!node.equals(next) && seen.primary() && promoted.get() == 0) {
                    lastPrimaryAnswer.set(seen.atNanos());
                }
                String state = seen.answered() ? (seen.primary() ? "primary" : "standby") : "down";
                if (!state.equals(lastState)) {
                    transitions.add(new Transition(node, state, seen.atNanos()));
                    lastState = state;
                }
                record(node, seen);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    break;
                }
            }
            closeQuietly(c);
        }

        /** Adds up what the nodes said within the last half second. */
        private synchronized void record(String node, Seen seen) {
            last.put(node, seen);
            int primaries = 0;
            int holders = 0;
            for (Seen s : last.values()) {
                if (seen.atNanos() - s.atNanos() < FRESH_NANOS) {
                    primaries += s.primary() ? 1 : 0;
                    holders += s.holders();
                }
            }
            samples.incrementAndGet();
            if (seen.holders() > 0) {
                samplesHeld.incrementAndGet();
            }
            maxHolders.accumulateAndGet(holders, Math::max);
            maxPrimaries.accumulateAndGet(primaries, Math::max);
        }

        private static void closeQuietly(Connection c) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // gone already
                }
            }
        }

        /** The System.nanoTime() of the old primary's last answer as primary before the promotion. */
        long lastPrimaryAnswer() {
            return lastPrimaryAnswer.get();
        }

        /** The System.nanoTime() at which the standby was first seen out of recovery. */
        long awaitPromotion(Duration atMost) {
            Awaitility.await("promotion of " + next).atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> promoted.get() != 0);
            return promoted.get();
        }

        int maxPurgeLockHolders() {
            return maxHolders.get();
        }

        /** The nodes' states as they changed, each with its time in seconds after {@code origin}. */
        String transitions(long origin) {
            StringBuilder b = new StringBuilder();
            for (Transition t : transitions) {
                b.append(" %s %s at %+.1f s;".formatted(t.node(), t.state(), (t.atNanos() - origin) / 1e9));
            }
            return b.toString();
        }

        int maxPrimaries() {
            return maxPrimaries.get();
        }

        int samples() {
            return samples.get();
        }

        int samplesHeld() {
            return samplesHeld.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
    }
}
