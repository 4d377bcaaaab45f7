package dev.pgcache.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Stops calling an upstream that keeps failing, and tries it again after a delay. */
public interface CircuitBreakerConfig {
    @WithDefault("true")
    boolean enabled();

    /** Size of the rolling window of calls the failure ratio is computed over. */
    @WithName("request-volume-threshold")
    @WithDefault("20")
    int requestVolumeThreshold();

    /** Share of failed calls in the window that opens the circuit. */
    @WithName("failure-ratio")
    @WithDefault("0.5")
    double failureRatio();

    /** How long the circuit stays open before one trial call is let through. */
    @WithDefault("5s")
    Duration delay();

    /** Successful trial calls that close it again. */
    @WithName("success-threshold")
    @WithDefault("1")
    int successThreshold();
}
