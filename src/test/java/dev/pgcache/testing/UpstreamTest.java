package dev.pgcache.testing;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/**
 * Registers {@link UpstreamTestResource} for the whole test run, like {@link PostgresTest}, so
 * the read-through tests share the one application start of every other @QuarkusTest.
 */
@WithTestResource(value = UpstreamTestResource.class, scope = TestResourceScope.GLOBAL)
public final class UpstreamTest {

    private UpstreamTest() {
    }
}
