package dev.pgcache.testing;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Tests only: a REST answer to a request carrying {@link #ASK} says in {@link #VIRTUAL} whether
 * the thread that finished it (the one the resource method ran on) was virtual. Requests
 * without the header are untouched.
 */
public class ThreadReport {

    public static final String ASK = "X-Test-Report-Thread";
    public static final String VIRTUAL = "X-Test-Thread-Virtual";

    @ServerResponseFilter
    void report(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getHeaderString(ASK) != null) {
            response.getHeaders().putSingle(VIRTUAL, Boolean.toString(Thread.currentThread().isVirtual()));
        }
    }
}
