package dev.pgcache.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Retries of a failed load (timeouts, connection failures, 5xx), with exponential backoff. */
public interface RetryConfig {
    /** Retries after the first attempt; 0 for none. */
    @WithName("max-retries")
    @WithDefault("2")
    int maxRetries();

    /** Wait before the first retry; doubles on each further one up to max-delay. */
    @WithDefault("100ms")
    Duration delay();

    @WithName("max-delay")
    @WithDefault("1s")
    Duration maxDelay();
}
