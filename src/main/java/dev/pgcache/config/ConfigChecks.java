package dev.pgcache.config;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

/**
 * Checks numeric settings once at start, so a limit of 0 or a negative batch size stops the
 * service with the property named instead of turning every request into an error later.
 */
@Startup
@ApplicationScoped
class ConfigChecks {

    ConfigChecks(PgcacheConfig config) {
        List<String> problems = new ArrayList<>();
        LimitsConfig l = config.limits();
        atLeast(problems, "pgcache.limits.max-value-size", l.maxValueSize().asLongValue(), 1);
        between(problems, "pgcache.limits.max-key-bytes", l.maxKeyBytes(), 1, 2048); // btree entries must fit in a page
        between(problems, "pgcache.limits.max-json-depth", l.maxJsonDepth(), 1, 1000);
        atLeast(problems, "pgcache.limits.max-tags", l.maxTags(), 0);
        between(problems, "pgcache.limits.max-tag-bytes", l.maxTagBytes(), 1, 1024);
        atLeast(problems, "pgcache.limits.max-batch-size", l.maxBatchSize(), 1);
        atLeast(problems, "pgcache.limits.max-list-limit", l.maxListLimit(), 1);
        long budget = l.maxInFlightBodySize().asLongValue();
        // an answer within its limit must fit the memory budget, or it could never be built
        for (var answer : List.of(java.util.Map.entry("pgcache.limits.max-answer-size", l.maxAnswerSize()),
                java.util.Map.entry("pgcache.rpc.max-answer-size", config.rpc().maxAnswerSize()))) {
            if (answer.getValue().isPresent()) {
                long bytes = answer.getValue().get().asLongValue();
                atLeast(problems, answer.getKey(), bytes, 1);
                atMost(problems, answer.getKey(), bytes, "pgcache.limits.max-in-flight-body-size", budget);
            }
        }
        if (l.maxTtl().isNegative() || l.maxTtl().isZero()) {
            problems.add("pgcache.limits.max-ttl must be above zero");
        }
        if (l.headTimeout().toMillis() < 1) {
            problems.add("pgcache.limits.head-timeout must be at least 1 ms");
        }
        PurgeConfig p = config.purge();
        atLeast(problems, "pgcache.purge.batch-size", p.batchSize(), 1);
        atLeast(problems, "pgcache.purge.max-batches", p.maxBatches(), 1);
        atLeast(problems, "pgcache.purge.eviction-batch-size", p.evictionBatchSize(), 1);
        atLeast(problems, "pgcache.storage.eviction-window", config.storage().evictionWindow(), 1);
        atLeast(problems, "pgcache.hits.flush-batch-size", config.hits().flushBatchSize(), 1);
        if (p.interval().isNegative() || p.interval().isZero()) {
            problems.add("pgcache.purge.interval must be above zero");
        }
        if (p.timeBudget().isNegative() || p.timeBudget().isZero()) {
            problems.add("pgcache.purge.time-budget must be above zero");
        }
        DatabaseConfig d = config.database();
        if (!d.schema().matches("[a-z_][a-z0-9_]{0,62}")) {
            problems.add("pgcache.database.schema must be a lower-case SQL name ([a-z_][a-z0-9_]{0,62}), not '" + d.schema() + "'");
        }
        atLeast(problems, "pgcache.database.statement-timeout (seconds)", d.statementTimeout().toSeconds(), 1);
        atLeast(problems, "pgcache.database.lock-timeout (milliseconds)", d.lockTimeout().toMillis(), 1);
        if (config.nearCache().pollInterval().toMillis() < 1) {
            problems.add("pgcache.near-cache.poll-interval must be at least 1 ms");
        }
        atLeast(problems, "pgcache.metrics.max-namespaces", config.metrics().maxNamespaces(), 1);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid configuration: " + String.join("; ", problems));
        }
    }

    private static void atLeast(List<String> problems, String name, long value, long min) {
        if (value < min) {
            problems.add(name + " is " + value + "; it must be at least " + min);
        }
    }

    private static void atMost(List<String> problems, String name, long value, String boundName, long bound) {
        if (value > bound) {
            problems.add(name + " is " + value + " bytes; it must be at most " + boundName + " (" + bound + " bytes)");
        }
    }

    private static void between(List<String> problems, String name, long value, long min, long max) {
        if (value < min || value > max) {
            problems.add(name + " is " + value + "; it must be from " + min + " to " + max);
        }
    }
}
