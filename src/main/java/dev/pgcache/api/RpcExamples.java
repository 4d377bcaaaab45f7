package dev.pgcache.api;

/** OpenAPI texts and examples of the JSON-RPC proxy, kept apart from the cache API's. */
final class RpcExamples {

    private RpcExamples() {
    }

    static final String TAG = "rpc";
    static final String TAG_TEXT = "The JSON-RPC caching proxy in front of blockchain nodes (docs/rpc.md)";
    static final String DESCRIPTION = "JSON-RPC 2.0 exactly, single and batch, for any standard client (ethers, viem, web3j, "
            + "polkadot.js) pointed at this URL. Each request is answered from the cache when its method policy allows and a fresh "
            + "answer is stored (key: method and canonical params, never the id), else from the node: all misses of a batch go "
            + "up as one batch, and identical requests in flight share one call. Every caller gets its own id back. Results are "
            + "stored under namespace rpc-{upstream} for as long as the policy says: static and by-hash answers and finalized "
            + "blocks long, unfinalized blocks briefly (and invalidated on a re-org), head-dependent answers about a block time, "
            + "sends, signing, filters, errors and null results never. Needs the read scope on namespace rpc-{upstream}; methods are "
            + "forwarded by class: reads with the read scope, transaction submission (eth_sendRawTransaction, "
            + "author_submitExtrinsic, ...) with the write scope, node administration and state manipulation (admin_*, debug_*, "
            + "anvil_*, eth_sign*, author_insertKey, ...) only where pgcache.rpc.upstreams.<name>.admin-methods-enabled=true and "
            + "with the admin scope; methods no rule names are refused. A refused request gets the JSON-RPC error -32040 and is "
            + "not sent to the node.";
    static final String UPSTREAM = "The name of a configured node (pgcache.rpc.upstreams.<name>.url); its answers are cached in "
            + "namespace rpc-<name>.";
    static final String X_CACHE_TEXT = "Single calls only: HIT (answered from the cache), MISS (cacheable, fetched from the node), "
            + "BYPASS (not cacheable: passed through).";

    static final String SINGLE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"0x10d4f\",false]}";
    static final String BATCH = "[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"eth_chainId\",\"params\":[]},"
            + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_getBalance\",\"params\":[\"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266\",\"0x10\"]}]";
    static final String NOTIFICATION = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_chainId\",\"params\":[]}";
    static final String SINGLE_ANSWER = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"number\":\"0x10d4f\",\"hash\":\"0x6f1d…\"}}";
    static final String BATCH_ANSWER = "[{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":\"0x7a69\"},"
            + "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":\"0x21e19e0c9bab2400000\"}]";
    static final String PARSE_ERROR = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
            + "\"message\":\"Parse error: the body is not one valid JSON value (at line 1, column 12)\"}}";
    static final String INVALID_REQUEST = "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32600,"
            + "\"message\":\"Invalid Request: \\\"method\\\" must be a non-empty string\"}}";
    static final String NODE_ERROR = "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32602,\"message\":\"invalid argument 0: hex string without 0x prefix\"}}";
    static final String UPSTREAM_FAILED = "{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32000,"
            + "\"message\":\"the JSON-RPC upstream 'eth' (http://geth:8545) refused the connection\",\"data\":{\"upstream\":\"eth\"}}}";
    static final String METHOD_REFUSED = "{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":{\"code\":-32040,"
            + "\"message\":\"method 'eth_sendTransaction' refused: it submits transactions and needs the write scope, which this API key lacks\","
            + "\"data\":{\"upstream\":\"eth\",\"method\":\"eth_sendTransaction\",\"access\":\"write\"}}}";
    static final String BAD_REQUEST = "{\"type\":\"urn:pgcache:problem:bad-request\",\"title\":\"Bad request\",\"status\":400,"
            + "\"detail\":\"Content-Length 'abc' is not a number of bytes\"}";
    static final String UNKNOWN_UPSTREAM = "{\"type\":\"urn:pgcache:problem:unknown-upstream\",\"title\":\"Unknown upstream\",\"status\":404,"
            + "\"detail\":\"no JSON-RPC upstream 'polygon' is configured (pgcache.rpc.upstreams.polygon.url)\",\"instance\":\"/v1/rpc/polygon\"}";
    static final String BATCH_TOO_LARGE = "{\"type\":\"urn:pgcache:problem:rpc-batch-too-large\",\"title\":\"Batch too large\",\"status\":413,"
            + "\"detail\":\"the batch holds 250 requests; the limit is 100 (pgcache.rpc.max-batch-size); split it\",\"instance\":\"/v1/rpc/eth\"}";
    static final String BODY_TOO_LARGE = "{\"type\":\"urn:pgcache:problem:payload-too-large\",\"title\":\"Request body too large\",\"status\":413,"
            + "\"detail\":\"the JSON-RPC body is 2097152 bytes; the limit is 1048576 bytes (pgcache.rpc.max-body-size)\",\"instance\":\"/v1/rpc/eth\"}";
    static final String ANSWER_TOO_LARGE = "{\"type\":\"urn:pgcache:problem:answer-too-large\",\"title\":\"Answer too large\",\"status\":413,"
            + "\"detail\":\"the answer with the results of these 100 requests would be 52432591 bytes; the largest answer is 16777216 bytes "
            + "(pgcache.rpc.max-answer-size); split the batch, or ask for fewer large results at a time\",\"instance\":\"/v1/rpc/eth\"}";
    static final String SERVER_BUSY = "{\"type\":\"urn:pgcache:problem:server-busy\",\"title\":\"Server busy\",\"status\":503,"
            + "\"detail\":\"other large request bodies and answers are being handled (pgcache.limits.max-in-flight-body-size, 16777216 "
            + "bytes in all); this answer of 10486511 bytes does not fit, and nothing was done with it; retry after 1 s\","
            + "\"instance\":\"/v1/rpc/eth\"}";
}
