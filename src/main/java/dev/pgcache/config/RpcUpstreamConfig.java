package dev.pgcache.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** One JSON-RPC upstream behind the proxy: one node (url) or several (nodes). Checked at start by dev.pgcache.rpc.RpcUpstreams. */
public interface RpcUpstreamConfig {
    /** The node's HTTP(S) JSON-RPC endpoint, e.g. http://geth:8545: the upstream's one primary node when no nodes are listed. */
    Optional<String> url();

    /** Several nodes of the same chain, by id (the id names the node in metrics and the status); url and nodes together are refused. */
    Map<String, RpcNodeConfig> nodes();

    /** Blocks a node's head may be behind the best node's before it is no longer asked about blocks near the head. */
    @WithName("max-lag")
    @WithDefault("5")
    int maxLag();

    RpcHedgeConfig hedge();

    /** Which shipped method policies apply: ethereum or substrate. */
    @WithDefault("ethereum")
    String chain();

    /** Longest wait for one answer of the node (connect, headers and body), per attempt. */
    @WithDefault("5s")
    Duration timeout();

    /** Longest a request waits for its upstream call, its own or an identical one in flight, retries included. */
    @WithName("wait-timeout")
    @WithDefault("10s")
    Duration waitTimeout();

    /** Extra request headers to the node (e.g. an API key); never logged nor sent to callers. */
    Map<String, String> headers();

    /** Whether to ask the node for its finalized block (Ethereum: the "finalized" tag); else, or when it has none, head minus finality-depth. */
    @WithName("finalized-tag")
    @WithDefault("true")
    boolean finalizedTag();

    /** Blocks below the head taken as final when the node does not say. */
    @WithName("finality-depth")
    @WithDefault("64")
    int finalityDepth();

    /** Lifetime of static answers (eth_chainId, net_version, system_chain, ...): a duration or "never". */
    @WithName("static-ttl")
    @WithDefault("1d")
    String staticTtl();

    /** Lifetime of answers about a block at or below the finalized one, or about a block hash: a duration or "never". */
    @WithName("finalized-ttl")
    @WithDefault("never")
    String finalizedTtl();

    /** Lifetime of answers about a block above the finalized one (re-orgs invalidate them earlier). */
    @WithName("unfinalized-ttl")
    @WithDefault("5s")
    String unfinalizedTtl();

    /** Lifetime of head-dependent answers (latest, safe, eth_blockNumber, eth_gasPrice, ...), about a block time; 0s: not cached. */
    @WithName("head-ttl")
    @WithDefault("2s")
    String headTtl();

    /**
     * Per-method policy overrides, e.g. methods.eth_call=never, methods.eth_getBalance=block:1,
     * methods."debug_*"=never; see docs/rpc.md for the policies. They replace the shipped default of the method.
     */
    Map<String, String> methods();

    /**
     * Per-method access overrides: read, write, admin or deny, e.g. method-access."debug_trace*"=read,
     * method-access.eth_sendTransaction=admin. They replace the shipped class of the method or prefix;
     * a method no rule names is denied. See docs/rpc.md.
     */
    @WithName("method-access")
    Map<String, String> methodAccess();

    /**
     * Whether admin methods (node administration, state manipulation, the node's own keys: admin_*,
     * debug_*, anvil_*, author_insertKey, ...) are forwarded at all, to keys with the admin scope.
     * Off: they are refused for every key.
     */
    @WithName("admin-methods-enabled")
    @WithDefault("false")
    boolean adminMethodsEnabled();

    /** eth_getLogs: cached by block-range chunks (logs.chunk-size), bounded (logs.max-range). */
    RpcLogsConfig logs();

    RetryConfig retry();

    @WithName("circuit-breaker")
    CircuitBreakerConfig circuitBreaker();
}
