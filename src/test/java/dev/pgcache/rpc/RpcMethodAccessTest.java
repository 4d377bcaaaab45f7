package dev.pgcache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.pgcache.rpc.RpcMethodAccess.Access;
import dev.pgcache.security.Scope;

/** The method classes and the refusals, without a node: what the proxy forwards for which scopes. */
class RpcMethodAccessTest {

    private static final Set<Scope> READ = Set.of(Scope.READ);
    private static final Set<Scope> READ_WRITE = Set.of(Scope.READ, Scope.WRITE);
    private static final Set<Scope> ALL = Set.of(Scope.READ, Scope.WRITE, Scope.ADMIN);

    private final RpcMethodAccess eth = new RpcMethodAccess("eth", RpcMethodAccess.ETHEREUM, Map.of(), false);
    private final RpcMethodAccess dot = new RpcMethodAccess("dot", RpcMethodAccess.SUBSTRATE, Map.of(), false);

    @Test
    void ethereumReadsWritesAndAdministration() {
        for (String m : new String[] { "eth_chainId", "eth_getBlockByNumber", "eth_call", "eth_getLogs", "eth_estimateGas", "eth_accounts",
                "eth_newFilter", "eth_getFilterChanges", "eth_someFutureRead", "net_version", "net_peerCount", "web3_clientVersion",
                "web3_sha3", "rpc_modules" }) {
            assertEquals(Access.READ, eth.accessOf(m), m);
        }
        for (String m : new String[] { "eth_sendRawTransaction", "eth_sendTransaction", "eth_sendBundle", "eth_sendRawTransactionConditional",
                "eth_sendUserOperation", "eth_submitWork", "eth_submitHashrate" }) {
            assertEquals(Access.WRITE, eth.accessOf(m), m);
        }
        for (String m : new String[] { "eth_sign", "eth_signTransaction", "eth_signTypedData_v4", "personal_sign", "personal_unlockAccount",
                "admin_addPeer", "admin_nodeInfo", "debug_traceTransaction", "debug_setHead", "miner_start", "txpool_content",
                "clique_propose", "engine_forkchoiceUpdatedV3", "anvil_setBalance", "anvil_reset", "anvil_mine", "evm_mine",
                "evm_snapshot", "evm_revert", "hardhat_reset", "hardhat_setBalance" }) {
            assertEquals(Access.ADMIN, eth.accessOf(m), m);
        }
        for (String m : new String[] { "trace_block", "ots_getApiLevel", "parity_setMode", "foo", "", "eth", "ethx_call", "author_submitExtrinsic" }) {
            assertEquals(Access.DENY, eth.accessOf(m), "no rule names '" + m + "'");
        }
    }

    @Test
    void substrateReadsWritesAndUnsafeMethods() {
        for (String m : new String[] { "chain_getBlock", "chain_getFinalizedHead", "state_getStorage", "state_call", "system_chain",
                "system_health", "system_accountNextIndex", "rpc_methods", "payment_queryInfo", "author_pendingExtrinsics",
                "chainHead_v1_follow", "grandpa_roundState" }) {
            assertEquals(Access.READ, dot.accessOf(m), m);
        }
        for (String m : new String[] { "author_submitExtrinsic", "author_submitAndWatchExtrinsic", "transaction_v1_broadcast",
                "transactionWatch_v1_submitAndWatch" }) {
            assertEquals(Access.WRITE, dot.accessOf(m), m);
        }
        for (String m : new String[] { "author_insertKey", "author_rotateKeys", "author_hasKey", "author_hasSessionKeys",
                "author_removeExtrinsic", "system_addReservedPeer", "system_removeReservedPeer", "system_peers", "system_addLogFilter",
                "offchain_localStorageSet", "babe_epochAuthorship", "state_traceBlock", "sudo_unstable_p2pDiscover", "dev_setHead" }) {
            assertEquals(Access.ADMIN, dot.accessOf(m), m);
        }
        assertEquals(Access.DENY, dot.accessOf("eth_chainId"), "the Ethereum list does not apply to a Substrate upstream");
    }

    @Test
    void overridesReplaceTheShippedClassAndTheLongestPrefixDecides() {
        RpcMethodAccess a = new RpcMethodAccess("eth", RpcMethodAccess.ETHEREUM,
                Map.of("debug_trace*", "read", "eth_sendTransaction", "admin", "trace_*", "read", "eth_getWork", "deny", "eth_*", "deny"), false);
        assertEquals(Access.READ, a.accessOf("debug_traceTransaction"), "a longer prefix beats debug_*");
        assertEquals(Access.ADMIN, a.accessOf("debug_setHead"));
        assertEquals(Access.ADMIN, a.accessOf("eth_sendTransaction"), "an exact name beats eth_send*");
        assertEquals(Access.WRITE, a.accessOf("eth_sendRawTransaction"));
        assertEquals(Access.READ, a.accessOf("trace_block"));
        assertEquals(Access.DENY, a.accessOf("eth_getWork"));
        assertEquals(Access.DENY, a.accessOf("eth_chainId"), "eth_* overridden: a strict allow-list from here on");
        assertEquals(Access.READ, a.accessOf("net_version"));
        assertEquals("debug_trace*", a.label("debug_traceCall"));
        assertEquals("eth_sendTransaction", a.label("eth_sendTransaction"));
        assertEquals("_other", a.label("foo_bar"));
    }

    @Test
    void aBadClassStopsTheServiceWithTheMethodNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RpcMethodAccess("eth", RpcMethodAccess.ETHEREUM, Map.of("debug_*", "sometimes"), false));
        assertTrue(e.getMessage().startsWith("debug_*: 'sometimes' is not a method access"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RpcMethodAccess.defaultsOf("bitcoin"));
        assertEquals(Access.WRITE, new RpcMethodAccess("e", Map.of(), Map.of("x", " Write "), false).accessOf("x"), "case and spaces");
    }

    @Test
    void eachClassNeedsItsScopeAndAdminAlsoTheUpstreamSetting() {
        assertEquals(Optional.empty(), eth.refusal("eth_call", READ));
        assertTrue(eth.refusal("eth_call", Set.of()).isPresent(), "no scopes: nothing, not even reads");
        assertEquals(Optional.empty(), eth.refusal("eth_sendRawTransaction", READ_WRITE));
        RpcMethodAccess.Refusal send = eth.refusal("eth_sendTransaction", READ).orElseThrow();
        assertEquals(Access.WRITE, send.access());
        assertTrue(send.message().contains("'eth_sendTransaction'") && send.message().contains("write scope"), send.message());

        RpcMethodAccess.Refusal off = eth.refusal("anvil_setBalance", ALL).orElseThrow();
        assertEquals(Access.ADMIN, off.access());
        assertTrue(off.message().contains("'anvil_setBalance'") && off.message().contains("admin scope")
                && off.message().contains("pgcache.rpc.upstreams.eth.admin-methods-enabled=true"), "even with every scope: " + off.message());

        RpcMethodAccess enabled = new RpcMethodAccess("dev", RpcMethodAccess.ETHEREUM, Map.of(), true);
        assertEquals(Optional.empty(), enabled.refusal("anvil_setBalance", Set.of(Scope.READ, Scope.ADMIN)));
        RpcMethodAccess.Refusal noAdmin = enabled.refusal("anvil_setBalance", READ_WRITE).orElseThrow();
        assertTrue(noAdmin.message().contains("admin scope, which this API key lacks"), noAdmin.message());
        assertFalse(noAdmin.message().contains("admin-methods-enabled"), "the upstream allows it; only the key lacks");

        RpcMethodAccess.Refusal unknown = enabled.refusal("trace_block", ALL).orElseThrow();
        assertEquals(Access.DENY, unknown.access());
        assertTrue(unknown.message().contains("'trace_block'") && unknown.message().contains("pgcache.rpc.upstreams.dev.method-access"),
                unknown.message());
    }

    @Test
    void onlyMethodsThatReplaceTheChainWipeTheCache() {
        for (String m : new String[] { "anvil_reset", "hardhat_reset", "evm_revert", "anvil_revert", "anvil_rollback", "anvil_reorg",
                "anvil_loadState", "anvil_setChainId", "debug_setHead" }) {
            assertTrue(RpcMethodAccess.rewritesChain(m), m);
        }
        for (String m : new String[] { "evm_snapshot", "anvil_snapshot", "evm_mine", "anvil_mine", "anvil_setBalance", "eth_sendTransaction",
                "anvil_dumpState" }) {
            assertFalse(RpcMethodAccess.rewritesChain(m), m + " does not replace blocks that exist");
        }
    }
}
