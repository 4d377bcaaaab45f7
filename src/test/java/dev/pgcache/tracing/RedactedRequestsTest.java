package dev.pgcache.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What is left of a request's target in the HTTP server span: routes and namespaces, never a key or a query. */
class RedactedRequestsTest {

    @Test
    void keysAndQueriesAreTakenOut() {
        assertEquals("/v1/cache/ns/{key}", RedactedRequests.path("/v1/cache/ns/secret%2Fkey"));
        assertEquals("/v1/cache/ns/{key}/touch", RedactedRequests.path("/v1/cache/ns/secret/touch"));
        assertEquals("/v1/cache/ns/{key}", RedactedRequests.path("/v1/cache/ns/a/b/c"));
        assertEquals("/v1/cache/ns", RedactedRequests.path("/v1/cache/ns?prefix=secret"));
        assertEquals("/v1/cache/ns/batch-get", RedactedRequests.path("/v1/cache/ns/batch-get"));
        assertEquals("http://h:8080/v1/cache/ns/{key}", RedactedRequests.path("http://h:8080/v1/cache/ns/secret?x=1"));
        assertEquals("/v1/rpc/eth", RedactedRequests.path("/v1/rpc/eth"));
        assertEquals("/q/metrics", RedactedRequests.path("/q/metrics"));
    }
}
