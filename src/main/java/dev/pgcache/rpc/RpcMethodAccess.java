package dev.pgcache.rpc;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.pgcache.config.EnumText;
import dev.pgcache.security.Scope;

/**
 * Which JSON-RPC methods a caller of one upstream may send, by class: {@code read} (needs the
 * read scope), {@code write} (transaction submission; needs the write scope), {@code admin} (node
 * administration, state manipulation, the node's own keys; needs the admin scope and the
 * upstream's admin-methods-enabled), {@code deny} (never forwarded).
 *
 * <p>The shipped defaults open the standard read namespaces by prefix ({@code eth_*},
 * {@code net_*}, {@code web3_*}; Substrate's {@code chain_*}, {@code state_*}, ...) and carve the
 * writes, signing and administration out of them with longer prefixes or exact names. A method no
 * rule names is denied: a gateway must not forward what it cannot classify (a node's extra
 * namespaces such as {@code trace_*} or {@code ots_*} are opened one config line at a time).
 * An exact name beats a prefix, and a longer prefix beats a shorter one, so
 * {@code eth_sendRawTransaction} is write even though {@code eth_*} is read.
 */
public final class RpcMethodAccess {

    /** A method's class. */
    public enum Access {
        READ, WRITE, ADMIN, DENY;

        static Access parse(String text) {
            return EnumText.parse(Access.class, text)
                    .orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not a method access; use read, write, admin or deny"));
        }

        String label() {
            return EnumText.of(this);
        }
    }

    /** Shipped classes for Ethereum nodes. Order is the one docs/rpc.md lists. */
    public static final Map<String, String> ETHEREUM = new Classes()
            .read("eth_*", "net_*", "web3_*", "rpc_modules")
            // submission: eth_sendRawTransaction, eth_sendTransaction (from the node's unlocked account), bundles,
            // private and conditional sends, ERC-4337 user operations; eth_submitWork, eth_submitHashrate
            .write("eth_send*", "eth_submit*")
            // the node's own keys; node administration; node internals (txpool_* shows the node's local transactions);
            // development nodes rewriting state and the chain
            .admin("eth_sign*", "personal_*", "admin_*", "debug_*", "miner_*", "txpool_*", "clique_*", "engine_*",
                    "anvil_*", "evm_*", "hardhat_*")
            .map();

    /** Shipped classes for Substrate nodes; what Substrate calls "unsafe" RPC methods is admin. */
    public static final Map<String, String> SUBSTRATE = new Classes()
            .read("chain_*", "state_*", "childstate_*", "system_*", "rpc_methods", "payment_*", "grandpa_*", "beefy_*", "mmr_*",
                    "chainHead_*", "archive_*", "chainSpec_*", "author_pendingExtrinsics")
            .write("author_submitExtrinsic", "author_submitAndWatchExtrinsic", "author_unwatchExtrinsic", "transaction_*",
                    "transactionWatch_*")
            // session keys and the pool (author_insertKey, author_rotateKeys, author_hasKey, author_removeExtrinsic, ...),
            // the node's peers and logging, traces, sudo and development methods
            .admin("author_*", "offchain_*", "babe_*", "sudo_*", "dev_*", "state_traceBlock",
                    "system_addReservedPeer", "system_removeReservedPeer", "system_reservedPeers", "system_peers",
                    "system_networkState", "system_unstable_networkState", "system_addLogFilter", "system_resetLogFilter")
            .map();

    /**
     * Methods whose success replaces the node's chain (or its identity), so nothing cached from it
     * may be served again: the upstream's namespace is wiped and its chain tracker starts over.
     * evm_snapshot is not one: it only remembers the state, the chain stays.
     */
    static final Set<String> REWRITES_CHAIN = Set.of("anvil_reset", "hardhat_reset", "evm_revert", "anvil_revert",
            "anvil_rollback", "anvil_reorg", "anvil_loadState", "anvil_setChainId", "debug_setHead", "dev_setHead");

    private final String upstream;
    private final boolean adminEnabled;
    private final MethodTable<Access> classes;

    /**
     * @param upstream     the upstream's name, for the messages
     * @param defaults     the shipped classes (or none)
     * @param overrides    classes from config, replacing the default of the same method or prefix
     * @param adminEnabled whether admin methods may be forwarded at all (to keys with the admin scope)
     * @throws IllegalArgumentException naming the method of a class that does not parse
     */
    public RpcMethodAccess(String upstream, Map<String, String> defaults, Map<String, String> overrides, boolean adminEnabled) {
        this.upstream = upstream;
        this.adminEnabled = adminEnabled;
        this.classes = new MethodTable<>(defaults, overrides, Access::parse);
    }

    /** The shipped classes of a chain kind: ethereum or substrate. */
    public static Map<String, String> defaultsOf(String chain) {
        return MethodTable.forChain(chain, ETHEREUM, SUBSTRATE);
    }

    /** The method's class; deny when no rule names it. */
    Access accessOf(String method) {
        Access a = classes.ruleOf(method);
        return a == null ? Access.DENY : a;
    }

    /** The rule that decided, for metrics: the method when named, the prefix with '*', else "_other" (bounded by config). */
    String label(String method) {
        return classes.label(method);
    }

    /** Why a request is refused: the method's class and a message that names the method and what it needs. */
    record Refusal(Access access, String message) {
    }

    /** Why a caller with these scopes may not send the method, or empty when it may. */
    Optional<Refusal> refusal(String method, Set<Scope> scopes) {
        Access access = accessOf(method);
        String setting = "pgcache.rpc.upstreams." + upstream;
        String why = switch (access) {
            case READ -> scopes.contains(Scope.READ) ? null : "it needs the read scope, which this API key lacks";
            case WRITE -> scopes.contains(Scope.WRITE) ? null
                    : "it submits transactions and needs the write scope, which this API key lacks";
            case ADMIN -> adminEnabled && scopes.contains(Scope.ADMIN) ? null
                    : "it administers the node or changes its state and needs the admin scope"
                            + (adminEnabled ? ", which this API key lacks"
                                    : " and " + setting + ".admin-methods-enabled=true, which is off for upstream '" + upstream + "'");
            case DENY -> "it is denied on upstream '" + upstream + "' (" + setting + ".method-access; methods no rule names are denied)";
        };
        return why == null ? Optional.empty() : Optional.of(new Refusal(access, "method '" + method + "' refused: " + why));
    }

    /** Whether a success of the method replaces the node's chain (see {@link #REWRITES_CHAIN}). */
    static boolean rewritesChain(String method) {
        return REWRITES_CHAIN.contains(method);
    }

    /** Builds a shipped table: methods or prefixes by class, in the order given. */
    private static final class Classes {
        private final Map<String, String> map = new LinkedHashMap<>();

        Classes read(String... methods) {
            return put("read", methods);
        }

        Classes write(String... methods) {
            return put("write", methods);
        }

        Classes admin(String... methods) {
            return put("admin", methods);
        }

        private Classes put(String access, String... methods) {
            for (String m : methods) {
                map.put(m, access);
            }
            return this;
        }

        Map<String, String> map() {
            return Collections.unmodifiableMap(map);
        }
    }
}
