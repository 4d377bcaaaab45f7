package dev.pgcache.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.pgcache.testing.PrometheusServer;

/**
 * The rules of deploy/prometheus as Prometheus' own tool reads them: {@code promtool check rules}
 * (syntax, templates) and {@code promtool test rules} (each alert firing on the data it is for and
 * silent on data close to it, the recording rules' values). promtool comes with Debian's
 * prometheus package, installed when missing.
 */
class PrometheusRulesTest {

    static final String RULES = "deploy/prometheus/pgcache-rules.yml";
    static final String RULE_TESTS = "deploy/prometheus/tests/pgcache-rules-test.yml";

    @Test
    void rulesAreValid() throws Exception {
        String out = promtool("check", "rules", RULES);
        assertTrue(out.contains("SUCCESS: 14 rules found"), out);
    }

    @Test
    void everyAlertFiresOnItsDataAndOnlyThere() throws Exception {
        String out = promtool("test", "rules", RULE_TESTS);
        assertTrue(out.contains("SUCCESS"), out);
    }

    private static String promtool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(PrometheusServer.promtool()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }
}
