package dev.pgcache.testing;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Tests only: an endpoint declared as the application's are (routes on an interface), whose
 * resource class forgets its {@code @Access}; hidden from the OpenAPI document.
 */
@Path("/v1/test-undeclared")
public interface UndeclaredApi {

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(hidden = true)
    String served();

    /** The resource class, without {@code @Access} on its method. */
    class Resource implements UndeclaredApi {
        @Override
        public String served() {
            return "served";
        }
    }
}
