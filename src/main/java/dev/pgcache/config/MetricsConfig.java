package dev.pgcache.config;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** {@code pgcache.metrics.*}: bounds on the metric series. */
public interface MetricsConfig {
    /**
     * Most namespaces counted separately in metrics; further ones are counted together under
     * namespace="_other", so callers inventing namespaces cannot grow the metric series without bound.
     */
    @WithName("max-namespaces")
    @WithDefault("500")
    int maxNamespaces();
}
