package dev.pgcache.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** The JSON-RPC caching proxy: its upstream nodes and limits (docs/rpc.md). */
public interface RpcConfig {
    /** The nodes pgcache proxies, by name: {@code POST /v1/rpc/<name>}; entries live in namespace {@code rpc-<name>}. */
    Map<String, RpcUpstreamConfig> upstreams();

    /** Most requests in one JSON-RPC batch; a larger batch is refused with 413 problem+json. */
    @WithName("max-batch-size")
    @WithDefault("100")
    int maxBatchSize();

    /** Largest request body of one JSON-RPC call or batch; a larger one is refused with 413 problem+json. */
    @WithName("max-body-size")
    @WithDefault("1M")
    MemorySize maxBodySize();

    /**
     * Largest answer to one JSON-RPC call or batch, in bytes, results from the cache and the
     * node together (a result asked for twice in a batch counts twice). Over it the body gets
     * a 413 answer-too-large, found out before the answer is built. Default (unset):
     * pgcache.limits.max-in-flight-body-size, the largest answer the memory budget can hold; at most that.
     */
    @WithName("max-answer-size")
    Optional<MemorySize> maxAnswerSize();

    /** Largest answer pgcache reads from a node; a larger one becomes a JSON-RPC error. Results over pgcache.limits.max-value-size are answered but not cached. */
    @WithName("max-response-size")
    @WithDefault("16M")
    MemorySize maxResponseSize();

    /**
     * How often the head and finalized block of every upstream are polled (read by the scheduler
     * from pgcache.rpc.head-poll-interval); a request that needs them refreshes them when they are
     * older than this. Re-orgs are noticed within this interval.
     */
    @WithName("head-poll-interval")
    @WithDefault("2s")
    Duration headPollInterval();
}
