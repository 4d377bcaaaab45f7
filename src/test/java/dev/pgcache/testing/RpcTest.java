package dev.pgcache.testing;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/** Registers {@link AnvilTestResource} for the whole test run, like {@link UpstreamTest}, so the proxy tests share the one application start. */
@WithTestResource(value = AnvilTestResource.class, scope = TestResourceScope.GLOBAL)
public final class RpcTest {

    private RpcTest() {
    }
}
