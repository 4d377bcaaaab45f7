package dev.pgcache.api;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RawPathGuardTest {

    @ParameterizedTest
    @ValueSource(strings = { "/v1/cache/ns/.", "/v1/cache/ns/..", "/v1/cache/ns/%2E", "/v1/cache/ns/%2e%2E", "/v1/cache/ns/.%2e",
            "/v1/cache/ns/", "/v1/cache/ns//k", "/v1/cache/ns/a/../b", "/v1/cache/ns/a%zz", "/v1/cache/ns/a%2", "/v1/admin/../cache" })
    void refuses(String rawPath) {
        assertNotNull(RawPathGuard.problemWith(rawPath));
    }

    @ParameterizedTest
    @ValueSource(strings = { "/v1/cache/ns", "/v1/cache/ns/k", "/v1/cache/ns/a%2Fb", "/v1/cache/ns/...", "/v1/cache/ns/.k",
            "/v1/cache/ns/%2E%2E%2E", "/v1/cache/ns/k/touch", "/v1/stats" })
    void accepts(String rawPath) {
        assertNull(RawPathGuard.problemWith(rawPath));
    }
}
