package dev.pgcache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.PropertiesConfigSource;

import dev.pgcache.config.RpcUpstreamConfig;

/** The nodes of an upstream as config lists them, and the start-up errors that name the property. */
class NodeSetupTest {

    private static RpcUpstreamConfig config(Map<String, String> properties) {
        SmallRyeConfig c = new SmallRyeConfigBuilder().withMapping(RpcUpstreamConfig.class, "up")
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build();
        return c.getConfigMapping(RpcUpstreamConfig.class, "up");
    }

    private static List<NodeSetup.Spec> nodes(String... keyValues) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put("up." + keyValues[i], keyValues[i + 1]);
        }
        return NodeSetup.specs("eth", "pgcache.rpc.upstreams.eth", config(p));
    }

    private static String refusal(String... keyValues) {
        return assertThrows(IllegalStateException.class, () -> nodes(keyValues)).getMessage();
    }

    @Test
    void oneUrlIsOnePrimaryNode() {
        List<NodeSetup.Spec> n = nodes("url", "http://127.0.0.1:8545");
        assertEquals(1, n.size());
        assertEquals("default", n.get(0).id());
        assertEquals(UpstreamNode.Role.PRIMARY, n.get(0).role());
        assertEquals("rpc-eth", n.get(0).label(), "its breaker keeps the namespace's name, as before several nodes");
    }

    @Test
    void nodesComeWithTheirRoleAndWeight() {
        List<NodeSetup.Spec> n = nodes("headers.x-team", "t", "nodes.main.url", "http://10.0.0.1:8545", "nodes.main.weight", "3",
                "nodes.spare.url", "https://rpc.example.com/v1/key", "nodes.spare.role", "fallback", "nodes.spare.headers.x-api-key", "s");
        assertEquals(List.of("main", "spare"), n.stream().map(NodeSetup.Spec::id).toList());
        assertEquals(3, n.get(0).weight());
        assertEquals(UpstreamNode.Role.PRIMARY, n.get(0).role());
        assertEquals(UpstreamNode.Role.FALLBACK, n.get(1).role());
        assertEquals(Map.of("x-team", "t"), n.get(0).headers());
        assertEquals(Map.of("x-team", "t", "x-api-key", "s"), n.get(1).headers(), "a node's headers added to the upstream's");
        assertEquals("rpc-eth/spare", n.get(1).label());
    }

    @Test
    void badNodesStopTheStartWithThePropertyNamed() {
        assertTrue(refusal().contains("pgcache.rpc.upstreams.eth.url or pgcache.rpc.upstreams.eth.nodes.<id>.url must be set"), refusal());
        assertTrue(refusal("url", "http://a:1", "nodes.x.url", "http://b:1").contains("are both set"));
        assertEquals("pgcache.rpc.upstreams.eth.nodes.x.url must be an http:// or https:// URL with a host",
                refusal("nodes.x.url", "ftp://b:1"));
        assertEquals("pgcache.rpc.upstreams.eth.nodes.x.role must be primary or fallback, not 'backup'",
                refusal("nodes.x.url", "http://b:1", "nodes.x.role", "backup"));
        assertEquals("pgcache.rpc.upstreams.eth.nodes.x.weight must be at least 1", refusal("nodes.x.url", "http://b:1", "nodes.x.weight", "0"));
        assertTrue(refusal("url", "http://b:1", "hedge.percentile", "1").startsWith("pgcache.rpc.upstreams.eth.hedge.percentile"));
        assertTrue(refusal("url", "http://b:1", "max-lag", "-1").startsWith("pgcache.rpc.upstreams.eth.max-lag"));
        assertTrue(refusal("nodes.x.url", "http://b:1", "nodes.x.headers.Host", "h").startsWith("pgcache.rpc.upstreams.eth.nodes.x.headers.Host"));
    }
}
