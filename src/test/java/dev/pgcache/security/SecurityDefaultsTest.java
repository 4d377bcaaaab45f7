package dev.pgcache.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.pgcache.config.AuthConfig;
import dev.pgcache.security.AccessPolicy.Gate;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Plain unit tests: the front door's gates, namespace patterns, and that auth is on by default outside dev and test config. */
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
    void onlyHealthAndTheApiDocsArePublicAndUndeclaredPathsAreRefused() {
        assertEquals(Gate.API, gate("v1", "cache", "blocks", "k"));
        assertEquals(Gate.API, gate("v1", "anything", "new"));
        assertEquals(Gate.ADMIN, AccessPolicy.gateFor(List.of("q", "metrics"), false));
        assertEquals(Gate.PUBLIC, AccessPolicy.gateFor(List.of("q", "metrics"), true));
        assertEquals(Gate.PUBLIC, gate("q", "health"));
        assertEquals(Gate.PUBLIC, gate("q", "health", "ready"));
        assertEquals(Gate.PUBLIC, gate("q", "openapi"));
        assertEquals(Gate.PUBLIC, gate("q", "swagger-ui", "index.html"));
        assertEquals(Gate.UNDECLARED, gate());
        assertEquals(Gate.UNDECLARED, gate("q", "metrics", "x"));
        assertEquals(Gate.UNDECLARED, gate("q", "health", "x"));
        assertEquals(Gate.UNDECLARED, gate("q", "dev-ui"));
        assertEquals(Gate.UNDECLARED, gate("q", "arc"));
        assertEquals(Gate.UNDECLARED, gate("V1", "stats"));
        assertEquals(Gate.UNDECLARED, gate("favicon.ico"));
    }

    private static Gate gate(String... segments) {
        return AccessPolicy.gateFor(List.of(segments), false);
    }

    @Test
    void namespacePatternsMatchWholeNames() {
        Caller key = new Caller("k", Set.of(Scope.READ), List.of(Caller.namespacePattern("blocks-*"), Caller.namespacePattern("tx")));
        assertTrue(key.allows(new RequiredAccess(Scope.READ, "blocks-1")));
        assertTrue(key.allows(new RequiredAccess(Scope.READ, "tx")));
        assertFalse(key.allows(new RequiredAccess(Scope.READ, "tx2")));
        assertFalse(key.allows(new RequiredAccess(Scope.READ, "xblocks-1")));
        assertFalse(key.allows(new RequiredAccess(Scope.WRITE, "tx")));
        assertFalse(key.allows(new RequiredAccess(Scope.ADMIN, null)));
    }
}
