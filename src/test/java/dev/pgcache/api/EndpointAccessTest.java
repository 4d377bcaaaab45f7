package dev.pgcache.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Method;

import org.junit.jupiter.api.Test;

import dev.pgcache.security.Access;
import dev.pgcache.security.Scope;
import dev.pgcache.testing.TestKeys;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An endpoint's access is read from its resource class's method, though its route is declared
 * on an interface; an endpoint whose resource declares none is refused to every key.
 */
@QuarkusTest
class EndpointAccessTest {

    @Test
    void anEndpointWithoutAccessIsRefusedToEveryKey() {
        for (String key : new String[] { TestKeys.ALL, TestKeys.ADMIN }) {
            given().header("Authorization", "Bearer " + key).get("/v1/test-undeclared").then().statusCode(403)
                    .body("type", containsString("forbidden"))
                    .body("detail", containsString("declares no access rule"));
        }
    }

    @Test
    void accessIsReadFromTheResourceClassWhateverMethodTheFrameworkNames() throws Exception {
        Method documented = EntryApi.class.getMethod("get", String.class, String.class, String.class, String.class,
                jakarta.ws.rs.core.UriInfo.class);
        assertNull(documented.getAnnotation(Access.class));
        Access access = EndpointMethods.access(EntryResource.class, documented);
        assertEquals(Scope.READ, access.value());
        assertEquals("{namespace}", access.namespace());
        assertEquals(access, EndpointMethods.access(EntryResource.class,
                EndpointMethods.implementation(EntryResource.class, documented)));
    }
}
