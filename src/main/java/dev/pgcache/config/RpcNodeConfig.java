package dev.pgcache.config;

import java.util.Map;

import io.smallrye.config.WithDefault;

/** One node of a JSON-RPC upstream ({@code pgcache.rpc.upstreams.<name>.nodes.<id>.*}). Checked at start by dev.pgcache.rpc.NodeSetup. */
public interface RpcNodeConfig {
    /** The node's HTTP(S) JSON-RPC endpoint. */
    String url();

    /** primary: asked by weight; fallback: asked only when no primary is usable. */
    @WithDefault("primary")
    String role();

    /** Share of the calls among the usable nodes of the same role, at least 1. */
    @WithDefault("1")
    int weight();

    /** Extra request headers to this node, added to (and replacing) the upstream's; never logged nor sent to callers. */
    Map<String, String> headers();
}
