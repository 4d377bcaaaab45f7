package dev.pgcache.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Three real Anvil nodes of one chain for the tests of an upstream with several nodes: started
 * with the same options (a fixed genesis timestamp, no mining of their own), so the blocks the
 * tests mine on each with the same timestamps are the same blocks, hashes included. Each is behind
 * its own {@link RpcRelay} (counting, delaying, failing on request).
 *
 * <p>Upstream {@code multi}: nodes a, b, c (primaries, weight 1), with circuit breakers (a window
 * of 4 calls, open for a minute), hedged reads (after at least 100 ms), max-lag 2. Test code finds
 * test.multi.&lt;id&gt;.url (the node), .relay (its relay) and .pid (its process, to kill it).
 *
 * <p>A fourth Anvil, which no test mines, serves two more upstreams, each of a primary node
 * {@code main} and a fallback {@code backup}, both relays in front of that one Anvil (so their
 * heads are always equal, and the chain tracker, which picks the first of equal nodes, asks
 * {@code backup}): {@code failover} (retries: 2, from 200 ms; the default breaker) and
 * {@code sick} (no retries; a breaker over a window of 4 calls, open for 5 s). Test code finds
 * test.&lt;upstream&gt;.url (the Anvil) and test.&lt;upstream&gt;.&lt;id&gt;.relay.
 *
 * <p>Upstream {@code dot} ({@code chain=substrate}, retries: 2): a primary {@code bad} and a
 * fallback {@code good}, each a relay in front of a {@link FakeSubstrateNode} of its own (the same
 * made-up chain); test.dot.&lt;id&gt;.url is the fake node, test.dot.&lt;id&gt;.relay its relay.
 */
public class NodesTestResource implements QuarkusTestResourceLifecycleManager {

    static final List<String> IDS = List.of("a", "b", "c");
    /** The genesis timestamp every node starts from. */
    public static final long GENESIS_TIMESTAMP = 1_700_000_000L;

    private final List<Process> anvils = new CopyOnWriteArrayList<>();
    private final List<RpcRelay> relays = new CopyOnWriteArrayList<>();
    private final List<FakeSubstrateNode> substrates = new CopyOnWriteArrayList<>();

    @Override
    public Map<String, String> start() {
        Path binary = AnvilTestResource.install();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAnvils));
        Map<String, String> c = new HashMap<>();
        String prefix = "pgcache.rpc.upstreams.multi.";
        for (String id : IDS) {
            AnvilTestResource.Launched node = AnvilTestResource.launch(binary, anvils, "--timestamp", Long.toString(GENESIS_TIMESTAMP), "--no-mining");
            RpcRelay relay = RpcRelay.start(node.url());
            relays.add(relay);
            c.put("test.multi." + id + ".url", node.url());
            c.put("test.multi." + id + ".relay", relay.baseUrl());
            c.put("test.multi." + id + ".pid", Long.toString(node.process().pid()));
            c.put(prefix + "nodes." + id + ".url", relay.baseUrl());
        }
        c.put(prefix + "timeout", "5s");
        c.put(prefix + "retry.max-retries", "0");
        c.put(prefix + "circuit-breaker.request-volume-threshold", "4");
        c.put(prefix + "circuit-breaker.failure-ratio", "0.5");
        c.put(prefix + "circuit-breaker.delay", "60s");
        c.put(prefix + "hedge.enabled", "true");
        c.put(prefix + "hedge.min-delay", "100ms");
        c.put(prefix + "max-lag", "2");
        c.put(prefix + "finalized-tag", "false");
        c.put(prefix + "finality-depth", "3");
        c.put(prefix + "unfinalized-ttl", "10m");
        c.put(prefix + "head-ttl", "0s");
        String spare = AnvilTestResource.launch(binary, anvils, "--timestamp", Long.toString(GENESIS_TIMESTAMP), "--no-mining").url();
        mainAndBackup(c, "failover", spare);
        c.put("pgcache.rpc.upstreams.failover.retry.max-retries", "2");
        c.put("pgcache.rpc.upstreams.failover.retry.delay", "200ms");
        mainAndBackup(c, "sick", spare);
        c.put("pgcache.rpc.upstreams.sick.retry.max-retries", "0");
        c.put("pgcache.rpc.upstreams.sick.circuit-breaker.request-volume-threshold", "4");
        c.put("pgcache.rpc.upstreams.sick.circuit-breaker.failure-ratio", "0.5");
        c.put("pgcache.rpc.upstreams.sick.circuit-breaker.delay", "5s");
        for (String id : List.of("bad", "good")) {
            FakeSubstrateNode node = FakeSubstrateNode.start();
            substrates.add(node);
            RpcRelay relay = RpcRelay.start(node.baseUrl());
            relays.add(relay);
            c.put("test.dot." + id + ".url", node.baseUrl());
            c.put("test.dot." + id + ".relay", relay.baseUrl());
            c.put("pgcache.rpc.upstreams.dot.nodes." + id + ".url", relay.baseUrl());
        }
        c.put("pgcache.rpc.upstreams.dot.nodes.good.role", "fallback");
        c.put("pgcache.rpc.upstreams.dot.chain", "substrate");
        c.put("pgcache.rpc.upstreams.dot.retry.max-retries", "2");
        c.put("pgcache.rpc.upstreams.dot.head-ttl", "0s");
        return c;
    }

    /** An upstream of a primary node "main" and a fallback "backup", each a relay of its own in front of the one node. */
    private void mainAndBackup(Map<String, String> c, String upstream, String node) {
        String prefix = "pgcache.rpc.upstreams." + upstream + ".";
        c.put("test." + upstream + ".url", node);
        for (String id : List.of("main", "backup")) {
            RpcRelay relay = RpcRelay.start(node);
            relays.add(relay);
            c.put("test." + upstream + "." + id + ".relay", relay.baseUrl());
            c.put(prefix + "nodes." + id + ".url", relay.baseUrl());
        }
        c.put(prefix + "nodes.backup.role", "fallback");
        c.put(prefix + "head-ttl", "0s");
    }

    private void stopAnvils() {
        anvils.forEach(AnvilTestResource::stop);
    }

    @Override
    public void stop() {
        relays.forEach(RpcRelay::close);
        substrates.forEach(FakeSubstrateNode::close);
        stopAnvils();
    }
}
