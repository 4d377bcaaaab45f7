package dev.pgcache.config;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** How an upstream's eth_getLogs are cached by block-range chunks and bounded (docs/rpc.md, "Log queries"). Checked at start by dev.pgcache.rpc.LogChunks. */
public interface RpcLogsConfig {
    /**
     * Blocks per cached chunk of eth_getLogs over finalized blocks; chunks start at multiples of it, so overlapping
     * queries share them. 0: no chunks (each filter cached whole, as other answers are).
     */
    @WithName("chunk-size")
    @WithDefault("100")
    long chunkSize();

    /** Widest block range of one eth_getLogs; a wider one is refused (-32005) before it reaches the node. 0: no limit. */
    @WithName("max-range")
    @WithDefault("10000")
    long maxRange();
}
