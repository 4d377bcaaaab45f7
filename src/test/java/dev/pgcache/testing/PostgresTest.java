package dev.pgcache.testing;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;

/**
 * Registers {@link PostgresTestResource} for the whole test run (not only for this class), so
 * every {@code @QuarkusTest} shares one application start and one database per profile.
 */
@WithTestResource(value = PostgresTestResource.class, scope = TestResourceScope.GLOBAL)
public final class PostgresTest {

    private PostgresTest() {
    }
}
