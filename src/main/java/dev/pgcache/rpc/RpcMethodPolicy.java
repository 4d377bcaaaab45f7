package dev.pgcache.rpc;

import java.math.BigInteger;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import dev.pgcache.entry.Lifetime;

/**
 * What the proxy may cache of each JSON-RPC method, and for how long: the shipped defaults for
 * Ethereum and Substrate nodes, with per-upstream overrides from config. A rule is one of
 *
 * <ul>
 * <li>{@code static}: the answer never changes for a node (eth_chainId); static-ttl.</li>
 * <li>{@code block:<i>}: parameter i names a block (number, tag, hash, or an EIP-1898 object;
 * absent means latest). A hash: finalized-ttl, since a block hash pins the answer. A number at
 * or below the finalized block: finalized-ttl; above it up to the head: unfinalized-ttl; above
 * the head: not cached (it may not exist yet). latest/safe/finalized: head-ttl; pending: never.</li>
 * <li>{@code mined}: a transaction or receipt by hash; cached only once it is in a block, by
 * that block's number like {@code block}.</li>
 * <li>{@code logs}: eth_getLogs; by blockHash, or by the higher of fromBlock and toBlock.</li>
 * <li>{@code head}: depends on the head (eth_blockNumber, eth_gasPrice); head-ttl.</li>
 * <li>{@code never}: passed through, never cached (sending, signing, filters, subscriptions).</li>
 * </ul>
 * Methods no rule names are passed through and never cached. Errors and {@code null} results are
 * never cached. Every answer about a block number carries that number as the entry's revision,
 * so a re-org from height h invalidates exactly the answers about blocks h and above.
 */
public final class RpcMethodPolicy {

    /** Shipped rules for Ethereum nodes (geth, Erigon, Nethermind, Reth, Anvil, ...). Order is the one docs/rpc.md lists. */
    public static final Map<String, String> ETHEREUM = ordered(
            "eth_chainId", "static", "net_version", "static", "web3_clientVersion", "static",
            "eth_getBlockByHash", "block:0", "eth_getBlockTransactionCountByHash", "block:0",
            "eth_getTransactionByBlockHashAndIndex", "block:0", "eth_getUncleByBlockHashAndIndex", "block:0",
            "eth_getUncleCountByBlockHash", "block:0",
            "eth_getTransactionByHash", "mined", "eth_getTransactionReceipt", "mined",
            "eth_getBlockByNumber", "block:0", "eth_getBlockTransactionCountByNumber", "block:0",
            "eth_getTransactionByBlockNumberAndIndex", "block:0", "eth_getUncleByBlockNumberAndIndex", "block:0",
            "eth_getUncleCountByBlockNumber", "block:0", "eth_getBlockReceipts", "block:0",
            "eth_getBalance", "block:1", "eth_getCode", "block:1", "eth_getTransactionCount", "block:1",
            "eth_getStorageAt", "block:2", "eth_call", "block:1", "eth_getProof", "block:2", "eth_feeHistory", "block:1",
            "eth_getLogs", "logs",
            "eth_blockNumber", "head", "eth_gasPrice", "head", "eth_maxPriorityFeePerGas", "head", "eth_blobBaseFee", "head",
            "eth_syncing", "head", "net_peerCount", "head", "net_listening", "head",
            "eth_sendRawTransaction", "never", "eth_sendTransaction", "never", "eth_estimateGas", "never",
            "eth_createAccessList", "never", "eth_accounts", "never", "eth_coinbase", "never", "eth_sign*", "never",
            "eth_newFilter", "never", "eth_newBlockFilter", "never", "eth_newPendingTransactionFilter", "never",
            "eth_getFilterChanges", "never", "eth_getFilterLogs", "never", "eth_uninstallFilter", "never",
            "eth_subscribe", "never", "eth_unsubscribe", "never", "personal_*", "never");

    /** Shipped rules for Substrate nodes (Polkadot SDK). */
    public static final Map<String, String> SUBSTRATE = ordered(
            "system_chain", "static", "system_name", "static", "system_version", "static", "system_properties", "static",
            "system_chainType", "static", "rpc_methods", "static",
            "chain_getBlockHash", "block:0", "chain_getBlock", "block:0", "chain_getHeader", "block:0",
            "state_getStorage", "block:1", "state_getStorageAt", "block:1", "state_getStorageHash", "block:1",
            "state_getStorageSize", "block:1", "state_getKeysPaged", "block:3", "state_getRuntimeVersion", "block:0",
            "chain_getRuntimeVersion", "block:0", "state_getMetadata", "block:0", "state_call", "block:2",
            "state_queryStorageAt", "block:1",
            "chain_getFinalizedHead", "head", "chain_getFinalisedHead", "head", "system_health", "head",
            "author_*", "never", "system_accountNextIndex", "never", "chain_subscribe*", "never", "chain_unsubscribe*", "never",
            "state_subscribe*", "never", "state_unsubscribe*", "never");

    /** How a method's answers are cached. */
    enum Kind {
        STATIC, BLOCK, MINED, LOGS, HEAD, NEVER
    }

    /** One rule: its kind and, for {@code block}, which parameter names the block. */
    record Rule(Kind kind, int param) {

        static Rule parse(String spec) {
            String s = spec.trim().toLowerCase(Locale.ROOT);
            if (s.startsWith("block:")) {
                try {
                    int i = Integer.parseInt(s.substring(6));
                    if (i >= 0 && i < 16) {
                        return new Rule(Kind.BLOCK, i);
                    }
                } catch (NumberFormatException e) {
                    // falls through to the message below
                }
                throw new IllegalArgumentException("'" + spec + "': block:<i> needs the index of the block parameter, 0 to 15");
            }
            return switch (s) {
                case "static" -> new Rule(Kind.STATIC, -1);
                case "mined" -> new Rule(Kind.MINED, -1);
                case "logs" -> new Rule(Kind.LOGS, -1);
                case "head" -> new Rule(Kind.HEAD, -1);
                case "never" -> new Rule(Kind.NEVER, -1);
                default -> throw new IllegalArgumentException("'" + spec
                        + "' is not a method policy; use static, block:<i>, mined, logs, head or never");
            };
        }
    }

    /** The lifetimes the rules hand out; empty ttl: never expires. A zero head-ttl means head answers are not cached. */
    public record Lifetimes(Optional<Duration> staticTtl, Optional<Duration> finalizedTtl, Duration unfinalizedTtl, Duration headTtl) {
    }

    /** The head and the finalized block of a chain, as last seen. */
    public record Heads(long head, long finalized) {
    }

    /** How to keep one answer: its lifetime and the block number it depends on (the entry's revision), or null. */
    public record Storage(Lifetime lifetime, Long revision) {
    }

    private final MethodTable<Rule> rules;
    private final Lifetimes lifetimes;

    /**
     * @param defaults  the shipped rules (or none)
     * @param overrides rules from config, replacing the defaults of the same method or prefix
     * @throws IllegalArgumentException naming the method of a rule that does not parse
     */
    public RpcMethodPolicy(Map<String, String> defaults, Map<String, String> overrides, Lifetimes lifetimes) {
        this.lifetimes = lifetimes;
        this.rules = new MethodTable<>(defaults, overrides, Rule::parse);
    }

    /** The shipped rules of a chain kind: ethereum or substrate. */
    public static Map<String, String> defaultsOf(String chain) {
        return MethodTable.forChain(chain, ETHEREUM, SUBSTRATE);
    }

    /** The method's rule, or null when no rule names it (passed through, never cached). */
    Rule ruleOf(String method) {
        return rules.ruleOf(method);
    }

    /** The rule that decides, for metrics: the method when named, the prefix with '*', else "_other", so callers cannot grow the series. */
    String label(String method) {
        return rules.label(method);
    }

    /** Before the call: whether an answer to it may come from the cache (and so be looked up and stored). */
    public boolean cacheable(String method, JsonNode params) {
        Rule rule = ruleOf(method);
        if (rule == null) {
            return false;
        }
        return switch (rule.kind()) {
            case STATIC, MINED -> true;
            case NEVER -> false;
            case HEAD -> !lifetimes.headTtl().isZero();
            case BLOCK -> cacheableRef(BlockParams.of(BlockParams.param(params, rule.param())));
            case LOGS -> cacheableRef(BlockParams.ofLogs(params));
        };
    }

    private boolean cacheableRef(BlockParams.Ref ref) {
        return switch (ref) {
            case BlockParams.Ref.Invalid i -> false;
            case BlockParams.Ref.Tag t -> !t.name().equals("pending") && !lifetimes.headTtl().isZero();
            default -> true;
        };
    }

    /**
     * After the call: how to keep its result, or empty when it must not be kept (null results,
     * blocks above the head, unmined transactions, heads unknown for an answer that needs them).
     */
    public Optional<Storage> storageFor(String method, JsonNode params, JsonNode result, Heads heads) {
        Rule rule = ruleOf(method);
        if (rule == null || result == null || result.isNull() || result.isMissingNode()) {
            return Optional.empty();
        }
        return switch (rule.kind()) {
            case NEVER -> Optional.empty();
            case STATIC -> Optional.of(new Storage(new Lifetime(lifetimes.staticTtl(), Duration.ZERO), null));
            case HEAD -> head(heads);
            case BLOCK -> byRef(BlockParams.of(BlockParams.param(params, rule.param())), heads);
            case LOGS -> byRef(BlockParams.ofLogs(params), heads);
            case MINED -> {
                BigInteger n = BlockParams.number(result.path("blockNumber"));
                yield n == null ? Optional.empty() : byRef(new BlockParams.Ref.Number(n.longValue()), heads);
            }
        };
    }

    private Optional<Storage> head(Heads heads) {
        if (lifetimes.headTtl().isZero()) {
            return Optional.empty();
        }
        return Optional.of(new Storage(new Lifetime(Optional.of(lifetimes.headTtl()), Duration.ZERO), heads == null ? null : heads.head()));
    }

    private Optional<Storage> byRef(BlockParams.Ref ref, Heads heads) {
        return switch (ref) {
            case BlockParams.Ref.Invalid i -> Optional.empty();
            case BlockParams.Ref.Hash h -> Optional.of(new Storage(new Lifetime(lifetimes.finalizedTtl(), Duration.ZERO), null));
            case BlockParams.Ref.Tag t -> t.name().equals("pending") ? Optional.empty() : head(heads);
            case BlockParams.Ref.Number n -> {
                if (heads == null || n.n() > heads.head()) {
                    yield Optional.empty();
                }
                if (n.n() <= heads.finalized()) {
                    yield Optional.of(new Storage(new Lifetime(lifetimes.finalizedTtl(), Duration.ZERO), n.n()));
                }
                yield Optional.of(new Storage(new Lifetime(Optional.of(lifetimes.unfinalizedTtl()), Duration.ZERO), n.n()));
            }
        };
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
