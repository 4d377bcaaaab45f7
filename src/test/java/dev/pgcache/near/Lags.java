package dev.pgcache.near;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Lags observed across replicas, summarized by percentiles (nearest rank). */
final class Lags {

    private final List<Long> nanos = new ArrayList<>();

    void add(long lagNanos) {
        nanos.add(lagNanos);
    }

    int count() {
        return nanos.size();
    }

    /** One line for the build's output, e.g. {@code p50 1.2 ms, p95 2.0 ms, p99 3.1 ms, max 7.9 ms}. */
    String summary() {
        return "p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms".formatted(millis(0.50), millis(0.95), millis(0.99), millis(1.0));
    }

    private double millis(double quantile) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(quantile * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1) / 1e6;
    }
}
