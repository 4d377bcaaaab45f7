package dev.pgcache.testing;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** Registers {@link NodesTestResource} for the whole test run, like {@link RpcTest}, so the tests share the one application start. */
@WithTestResource(value = NodesTestResource.class, scope = TestResourceScope.GLOBAL)
public final class NodesTest {

    private NodesTest() {
    }
}
