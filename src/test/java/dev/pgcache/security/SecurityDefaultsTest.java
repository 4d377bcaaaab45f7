package dev.pgcache.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Plain unit tests: the access table, namespace patterns, and that auth is on by default outside dev and test config. */
class SecurityDefaultsTest {

    @Test
    void authIsOnWhenNothingIsConfigured() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withConverter(io.quarkus.runtime.configuration.MemorySize.class, 100, new io.quarkus.runtime.configuration.MemorySizeConverter())
                .withMapping(dev.pgcache.config.PgcacheConfig.class).build();
        AuthConfig auth = config.getConfigMapping(dev.pgcache.config.PgcacheConfig.class).auth();
        assertTrue(auth.enabled());
        assertFalse(auth.rateLimit().enabled());
        assertFalse(auth.openMetrics());
    }

    @Test
    void accessTableNamesScopeAndNamespace() {
        assertEquals(Optional.of(new RequiredAccess(Scope.READ, "blocks")), AccessPolicy.requiredFor("GET", "/v1/cache/blocks/k", false));
        assertEquals(Optional.of(new RequiredAccess(Scope.READ, "blocks")), AccessPolicy.requiredFor("HEAD", "/v1/cache/blocks/k%2Fx", false));
        assertEquals(Optional.of(new RequiredAccess(Scope.WRITE, "blocks")), AccessPolicy.requiredFor("PUT", "/v1/cache/blocks/k", false));
        assertEquals(Optional.of(new RequiredAccess(Scope.WRITE, "blocks")), AccessPolicy.requiredFor("POST", "/v1/cache/blocks/k/touch", false));
        assertEquals(Optional.of(new RequiredAccess(Scope.READ, "blocks")), AccessPolicy.requiredFor("POST", "/v1/cache/blocks/batch-get", false));
        assertEquals(Optional.of(new RequiredAccess(Scope.WRITE, "blocks")), AccessPolicy.requiredFor("POST", "/v1/cache/blocks/batch-put", false));
        assertEquals(Optional.of(new RequiredAccess(Scope.WRITE, "blocks")), AccessPolicy.requiredFor("DELETE", "/v1/cache/blocks", false));
        assertEquals(Optional.of(new RequiredAccess(Scope.READ, "rpc-eth")), AccessPolicy.requiredFor("POST", "/v1/rpc/eth", false));
        assertEquals(Optional.of(new RequiredAccess(Scope.ADMIN, null)), AccessPolicy.requiredFor("POST", "/v1/admin/purge", false));
        assertEquals(Optional.of(new RequiredAccess(Scope.ADMIN, null)), AccessPolicy.requiredFor("GET", "/v1/anything/new", false));
        assertEquals(Optional.of(new RequiredAccess(Scope.ADMIN, null)), AccessPolicy.requiredFor("GET", "/q/metrics", false));
        assertEquals(Optional.empty(), AccessPolicy.requiredFor("GET", "/q/metrics", true));
        assertEquals(Optional.empty(), AccessPolicy.requiredFor("GET", "/q/health/ready", false));
        assertEquals(Optional.of(new RequiredAccess(Scope.READ, "sec-b")), AccessPolicy.requiredFor("GET", "/v1/cache/%73ec-b/k", false));
    }

    @Test
    void namespacePatternsMatchWholeNames() {
        ApiKey key = new ApiKey("k", Set.of(Scope.READ), List.of(ApiKey.namespacePattern("blocks-*"), ApiKey.namespacePattern("tx")));
        assertTrue(key.allows(new RequiredAccess(Scope.READ, "blocks-1")));
        assertTrue(key.allows(new RequiredAccess(Scope.READ, "tx")));
        assertFalse(key.allows(new RequiredAccess(Scope.READ, "tx2")));
        assertFalse(key.allows(new RequiredAccess(Scope.READ, "xblocks-1")));
        assertFalse(key.allows(new RequiredAccess(Scope.WRITE, "tx")));
        assertFalse(key.allows(new RequiredAccess(Scope.ADMIN, null)));
    }
}
