package dev.pgcache.config;

import java.time.Duration;
import java.util.Map;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * An HTTP(S) upstream of one namespace. Checked at start by dev.pgcache.load.Upstreams: a bad
 * template or header stops the service with the property named.
 */
public interface UpstreamConfig {
    /** URL template with {key} in the path or query, e.g. http://node:8080/blocks/{key}; the key is percent-encoded into it. */
    String url();

    /** Longest wait for one upstream answer (connect, headers and body), per attempt. */
    @WithDefault("5s")
    Duration timeout();

    /**
     * Extra request headers by name, e.g. headers.Authorization=Bearer ${NODE_TOKEN}. Values may be
     * config expressions over environment variables; they are never logged nor sent to callers.
     */
    Map<String, String> headers();

    /** Whether the upstream's Cache-Control s-maxage / max-age (less its Age) sets the TTL instead of the namespace's ttl. */
    @WithName("honor-max-age")
    @WithDefault("false")
    boolean honorMaxAge();

    /** How long an upstream 404 is remembered as a negative entry; 0s: not remembered. */
    @WithName("negative-ttl")
    @WithDefault("0s")
    Duration negativeTtl();

    /**
     * Longest a GET waits for a load, its own or one already in progress in this or another
     * replica, before it gets a 504 (or the stale value, where there is one).
     */
    @WithName("wait-timeout")
    @WithDefault("10s")
    Duration waitTimeout();

    RetryConfig retry();

    @WithName("circuit-breaker")
    CircuitBreakerConfig circuitBreaker();
}
