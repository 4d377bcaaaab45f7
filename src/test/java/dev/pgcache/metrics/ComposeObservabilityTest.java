package dev.pgcache.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The docker-compose "observability" profile, as far as it can be checked without Docker (there
 * is none where the tests run): the files parse, every file it mounts exists, and the pieces point
 * at each other (Prometheus at the pgcache service and at its rules, Grafana's datasource at the
 * Prometheus service, its dashboard provider at where the dashboard is mounted).
 */
class ComposeObservabilityTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theProfileMountsFilesThatExistAndFitTogether() throws IOException {
        JsonNode services = YAML.readTree(Path.of("docker-compose.yml").toFile()).path("services");
        List<String> inProfile = new ArrayList<>();
        services.fields().forEachRemaining(e -> {
            if (e.getValue().path("profiles").toString().contains("observability")) {
                inProfile.add(e.getKey());
            }
        });
        assertEquals(List.of("prometheus", "grafana"), inProfile);
        assertTrue(services.has("pgcache") && services.path("pgcache").path("profiles").isMissingNode(),
                "pgcache itself runs in every profile");

        String promConfigDir = null;
        for (String service : inProfile) {
            for (JsonNode volume : services.path(service).path("volumes")) {
                String[] parts = volume.asText().split(":");
                if (parts[0].startsWith("./")) {
                    assertTrue(Files.exists(Path.of(parts[0])), service + " mounts " + parts[0] + ", which is missing");
                    if (parts[1].equals("/etc/prometheus")) {
                        promConfigDir = parts[0];
                    }
                }
            }
        }
        assertEquals("./deploy/prometheus", promConfigDir);

        JsonNode prometheus = YAML.readTree(Path.of(promConfigDir, "prometheus.yml").toFile());
        for (JsonNode rules : prometheus.path("rule_files")) {
            assertTrue(Files.isRegularFile(Path.of(promConfigDir, rules.asText())), "rule file " + rules.asText());
        }
        JsonNode job = prometheus.path("scrape_configs").get(0);
        assertEquals("pgcache", job.path("job_name").asText(), "the rules and the dashboard select job=\"pgcache\"");
        assertEquals("/q/metrics", job.path("metrics_path").asText());
        assertEquals("Bearer", job.path("authorization").path("type").asText());
        assertTrue(services.path("prometheus").path("entrypoint").toString()
                .contains(job.path("authorization").path("credentials_file").asText()), "the entrypoint writes the key file the scrape reads");
        assertEquals("pgcache:8080", job.path("static_configs").get(0).path("targets").get(0).asText());

        JsonNode datasource = YAML.readTree(Path.of("deploy/grafana/provisioning/datasources/prometheus.yml").toFile())
                .path("datasources").get(0);
        assertEquals("prometheus", datasource.path("type").asText());
        assertEquals("http://prometheus:9090", datasource.path("url").asText());

        JsonNode provider = YAML.readTree(Path.of("deploy/grafana/provisioning/dashboards/pgcache.yml").toFile())
                .path("providers").get(0);
        String dashboards = provider.path("options").path("path").asText();
        assertTrue(services.path("grafana").path("volumes").toString().contains("./deploy/grafana/pgcache.json:" + dashboards + "/pgcache.json"),
                "the dashboard is mounted where the provider reads");
        JsonNode dashboard = JSON.readTree(Path.of("deploy/grafana/pgcache.json").toFile());
        assertEquals("pgcache", dashboard.path("uid").asText());
    }
}
