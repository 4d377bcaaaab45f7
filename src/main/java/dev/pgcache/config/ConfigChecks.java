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
        PgcacheConfig.Limits l = config.limits();
        atLeast(problems, "pgcache.limits.max-value-size", l.maxValueSize().asLongValue(), 1);
        between(problems, "pgcache.limits.max-key-bytes", l.maxKeyBytes(), 1, 2048); // btree entries must fit in a page
        between(problems, "pgcache.limits.max-json-depth", l.maxJsonDepth(), 1, 1000);
        atLeast(problems, "pgcache.limits.max-tags", l.maxTags(), 0);
        between(problems, "pgcache.limits.max-tag-bytes", l.maxTagBytes(), 1, 1024);
        atLeast(problems, "pgcache.limits.max-batch-size", l.maxBatchSize(), 1);
        atLeast(problems, "pgcache.limits.max-list-limit", l.maxListLimit(), 1);
        if (l.maxTtl().isNegative() || l.maxTtl().isZero()) {
            problems.add("pgcache.limits.max-ttl must be above zero");
        }
        PgcacheConfig.Purge p = config.purge();
        atLeast(problems, "pgcache.purge.batch-size", p.batchSize(), 1);
        atLeast(problems, "pgcache.purge.max-batches", p.maxBatches(), 1);
        if (p.interval().isNegative() || p.interval().isZero()) {
            problems.add("pgcache.purge.interval must be above zero");
        }
        if (p.timeBudget().isNegative() || p.timeBudget().isZero()) {
            problems.add("pgcache.purge.time-budget must be above zero");
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

    private static void between(List<String> problems, String name, long value, long min, long max) {
        if (value < min || value > max) {
            problems.add(name + " is " + value + "; it must be from " + min + " to " + max);
        }
    }
}
