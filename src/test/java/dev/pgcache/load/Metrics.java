package dev.pgcache.load;

import static io.restassured.RestAssured.given;

/** Reads one series of the service's own Prometheus page. */
final class Metrics {

    private Metrics() {
    }

    /** The value of a series such as {@code pgcache_load_coalesced_total{namespace="rt"}}, 0 when absent. */
    static double value(String series) {
        String prefix = series + " ";
        return given().get("/q/metrics").asString().lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst().orElse(0);
    }
}
