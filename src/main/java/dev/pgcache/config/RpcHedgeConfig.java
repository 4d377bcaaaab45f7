package dev.pgcache.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Hedged reads of a JSON-RPC upstream with several nodes: when the first node has not answered a
 * repeatable call after the upstream's observed latency percentile (at least min-delay), a second
 * node is asked too and the first answer wins. Off by default: it costs calls (a node billed or
 * rate-limited per request sees more of them) and only helps when the nodes are independent.
 */
public interface RpcHedgeConfig {
    @WithDefault("false")
    boolean enabled();

    /** The latency percentile of the upstream's recent calls after which a second node is asked, above 0 and below 1. */
    @WithDefault("0.9")
    double percentile();

    /** The shortest wait before a second node is asked, whatever the percentile says. */
    @WithName("min-delay")
    @WithDefault("50ms")
    Duration minDelay();
}
