package dev.pgcache.metrics;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.pgcache.entry.LoadLocks;
import dev.pgcache.testing.Namespaces;
import dev.pgcache.testing.PrometheusServer;
import dev.pgcache.testing.TestDatabase;
import dev.pgcache.testing.TestKeys;
import dev.pgcache.testing.UpstreamControl;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * The dashboard and the rules against what pgcache really exposes: a real Prometheus (Debian's
 * package) started from deploy/prometheus/prometheus.yml scrapes this test's pgcache with the
 * admin key as bearer token, and evaluates deploy/prometheus/pgcache-rules.yml, after traffic
 * that makes every metric they use (hits, misses, stale hits, writes, invalidations, a purge, the
 * table statistics, read-through loads, a joined load, a lock wait, an upstream failure and its
 * 502). Then every expression of every dashboard panel, and every recording rule with its
 * recorded series, must return data, and every metric an alert selects must exist: a metric name
 * the service does not expose (or a typo) fails here.
 */
@QuarkusTest
class DashboardQueriesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A metric or recorded series named in an expression, with its label matchers. */
    private static final Pattern SELECTOR = Pattern.compile(
            "(?<![\\w:\"])([a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]+|(?:pgcache|http_server|jvm)_[a-z0-9_]+|up)(?![\\w:(])(\\{[^}]*\\})?");

    @Inject
    TableStats tableStats;

    private final UpstreamControl upstream = UpstreamControl.fromConfig();

    @Test
    void everyExpressionOfTheDashboardAndTheRulesReturnsData() throws Exception {
        String ns = Namespaces.fresh("dash");
        traffic(ns);
        Path dir = Files.createTempDirectory("pgcache-prometheus-");
        Files.writeString(dir.resolve("metrics-key"), TestKeys.ALL);
        try (PrometheusServer prometheus = PrometheusServer.start(dir, scrapeConfig(dir))) {
            Map<String, String> waitingFor = expressions();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!waitingFor.isEmpty() && System.nanoTime() < deadline) {
                reads(ns); // rates over the last minute need requests between scrapes
                for (var it = waitingFor.entrySet().iterator(); it.hasNext();) {
                    if (!prometheus.query(it.next().getKey()).isEmpty()) {
                        it.remove();
                    }
                }
                Thread.sleep(1000);
            }
            assertTrue(waitingFor.isEmpty(), "no data for:\n" + String.join("\n", waitingFor.values())
                    + "\ntargets: " + prometheus.targets());
            // the alerts' own expressions are valid PromQL (Prometheus refuses a query it cannot parse)
            for (String alert : alertExpressions()) {
                prometheus.query(alert);
            }
        }
    }

    /** What Prometheus must answer with data, each with where it comes from. */
    private static Map<String, String> expressions() throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        JsonNode dashboard = JSON.readTree(Path.of("deploy/grafana/pgcache.json").toFile());
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText().replace("$__rate_interval", "1m").replace("$namespace", ".*");
                all.put(expr, "dashboard panel '" + panel.path("title").asText() + "': " + expr);
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.has("definition")) {
                selectors(variable.path("definition").asText(), "dashboard variable " + variable.path("name").asText(), all);
            }
        }
        for (JsonNode rule : rules()) {
            String expr = rule.path("expr").asText();
            if (rule.has("record")) {
                all.put(expr, "recording rule " + rule.path("record").asText() + ": " + expr);
                all.put(rule.path("record").asText(), "recorded series " + rule.path("record").asText());
            } else {
                selectors(expr, "alert " + rule.path("alert").asText(), all);
            }
        }
        return all;
    }

    private static void selectors(String expr, String where, Map<String, String> into) {
        Matcher m = SELECTOR.matcher(expr);
        while (m.find()) {
            String selector = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            into.putIfAbsent(selector, where + " selects " + selector);
        }
    }

    private static List<String> alertExpressions() throws Exception {
        List<String> alerts = new ArrayList<>();
        for (JsonNode rule : rules()) {
            if (rule.has("alert")) {
                alerts.add(rule.path("expr").asText());
            }
        }
        return alerts;
    }

    private static List<JsonNode> rules() throws Exception {
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode group : YAML.readTree(Path.of(PrometheusRulesTest.RULES).toFile()).path("groups")) {
            group.path("rules").forEach(rules::add);
        }
        return rules;
    }

    /** deploy/prometheus/prometheus.yml, pointed at this test's service, key file and rules, scraping every second. */
    private static String scrapeConfig(Path dir) throws Exception {
        ObjectNode config = (ObjectNode) YAML.readTree(Path.of("deploy/prometheus/prometheus.yml").toFile());
        ObjectNode global = (ObjectNode) config.path("global");
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        config.putArray("rule_files").add(Path.of(PrometheusRulesTest.RULES).toAbsolutePath().toString());
        ObjectNode job = (ObjectNode) config.path("scrape_configs").get(0);
        ((ObjectNode) job.path("authorization")).put("credentials_file", dir.resolve("metrics-key").toString());
        ((ObjectNode) job.path("static_configs").get(0)).putArray("targets").add("127.0.0.1:" + RestAssured.port);
        return YAML.writeValueAsString(config);
    }

    /** Traffic that makes every metric the dashboard and the rules use. */
    private void traffic(String ns) throws Exception {
        given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/a?ttl=60&stale=600").then().statusCode(201);
        given().contentType(ContentType.JSON).body("2").put("/v1/cache/" + ns + "/a?ttl=60&stale=600").then().statusCode(200);
        given().contentType(ContentType.JSON).body("3").put("/v1/cache/" + ns + "/b").then().statusCode(201);
        reads(ns);
        TestDatabase.setLifetime(ns, "a", -1, 100L);
        given().get("/v1/cache/" + ns + "/a").then().statusCode(200).header("X-Cache", "STALE");
        given().delete("/v1/cache/" + ns + "/b").then().statusCode(204);
        given().post("/v1/admin/purge").then().statusCode(200);
        tableStats.refresh();

        // read-through: what is counted does not depend on the outcome, and a busy machine may make
        // the loopback upstream miss its 2 s timeout (504), so either answer will do
        String run = Long.toString(System.nanoTime(), 36);
        given().get("/v1/cache/rt/dash-load-" + run).then().statusCode(oneOf(200, 504));
        upstream.answer("dash-fail-" + run, 500, "broken", "text/plain");
        given().get("/v1/cache/rt/dash-fail-" + run).then().statusCode(oneOf(502, 504));
        // two GETs of one key while its upstream is slow: the second joins the first's load
        upstream.slow("dash-slow-" + run, 300);
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> given().get("/v1/cache/rt/dash-slow-" + run).statusCode());
        Thread.sleep(100);
        given().get("/v1/cache/rt/dash-slow-" + run).then().statusCode(oneOf(200, 504));
        assertTrue(List.of(200, 504).contains(first.get(10, TimeUnit.SECONDS)));
        // another "replica" holds a key's load lock for a moment: the load waits for it
        try (Connection other = TestDatabase.connect()) {
            try (PreparedStatement ps = other.prepareStatement("SELECT pg_advisory_lock(?, hashtext(? || '/' || ?))")) {
                ps.setInt(1, LoadLocks.LOAD_LOCK_CLASS);
                ps.setString(2, "rt");
                ps.setString(3, "dash-locked-" + run);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                }
            }
            CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> given().get("/v1/cache/rt/dash-locked-" + run).statusCode());
            Thread.sleep(300);
            try (PreparedStatement ps = other.prepareStatement("SELECT pg_advisory_unlock_all()")) {
                ps.execute();
            }
            assertTrue(List.of(200, 504).contains(waiting.get(10, TimeUnit.SECONDS)));
        }
    }

    private static void reads(String ns) {
        given().get("/v1/cache/" + ns + "/b-or-a").then().statusCode(404);
        given().contentType(ContentType.JSON).body("1").put("/v1/cache/" + ns + "/c").then().statusCode(oneOf(200, 201));
        given().get("/v1/cache/" + ns + "/c").then().statusCode(200);
        given().get("/v1/cache/" + ns + "/c").then().statusCode(200);
    }

}
