package dev.pgcache.testing;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;

/**
 * Runs the whole suite with authentication on, as in production: every REST Assured request
 * that names no Authorization header of its own is sent with the full-rights test key. A request
 * carrying {@link TestKeys#ANONYMOUS} is sent with no key at all (the header itself is dropped).
 * Registered through META-INF/services so it runs inside Quarkus's test class loader.
 */
public class DefaultKeyCallback implements QuarkusTestBeforeEachCallback {

    private static final Filter DEFAULT_KEY = (request, response, ctx) -> {
        if (request.getHeaders().hasHeaderWithName(TestKeys.ANONYMOUS)) {
            request.removeHeader(TestKeys.ANONYMOUS);
        } else if (!request.getHeaders().hasHeaderWithName("Authorization")) {
            request.header("Authorization", "Bearer " + TestKeys.ALL);
        }
        return ctx.next(request, response);
    };

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        if (!RestAssured.filters().contains(DEFAULT_KEY)) {
            RestAssured.filters(DEFAULT_KEY);
        }
    }
}
