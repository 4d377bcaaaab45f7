package dev.pgcache.api;

import java.lang.reflect.Method;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.pgcache.security.Access;
import dev.pgcache.security.AnyKey;
import dev.pgcache.security.Caller;
import dev.pgcache.security.RequiredAccess;
import io.vertx.ext.web.RoutingContext;

/**
 * Decides a REST call's access where it was matched to its endpoint: the endpoint's own
 * {@link Access}, with the namespace taken from the path parameters the endpoint is about to
 * receive. Runs after matching and before the request body is read; the key itself was checked
 * by the {@link FrontDoor}. An endpoint that declares {@link AnyKey} instead serves every valid key;
 * one with neither is refused to everyone.
 */
class EndpointAccess {

    private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z0-9_]+)}");

    private final AccessProblems problems;

    EndpointAccess(AccessProblems problems) {
        this.problems = problems;
    }

    @ServerRequestFilter
    void check(ResourceInfo resource, UriInfo uri, RoutingContext ctx) {
        Caller caller = ctx.get(Caller.CONTEXT_KEY);
        if (caller == null) {
            throw problems.unauthenticated("send an API key as 'Authorization: Bearer <secret>'");
        }
        Method method = resource.getResourceMethod() == null ? null
                : EndpointMethods.implementation(resource.getResourceClass(), resource.getResourceMethod());
        Access access = method == null ? null : method.getAnnotation(Access.class);
        String what = ctx.request().method() + " " + (method == null ? ctx.request().path() : method.getDeclaringClass().getSimpleName()
                + "." + method.getName());
        if (access == null && method != null && method.isAnnotationPresent(AnyKey.class)) {
            problems.allowed(caller); // about the caller itself: any valid key
            return;
        }
        if (access == null) {
            throw problems.undeclared(caller, what);
        }
        RequiredAccess needed = new RequiredAccess(access.value(), namespace(access.namespace(), uri.getPathParameters()));
        if (!caller.allows(needed)) {
            throw problems.forbidden(caller, needed, what);
        }
        problems.allowed(caller);
    }

    /** The namespace template with the matched path parameters filled in; null for none. */
    static String namespace(String template, MultivaluedMap<String, String> parameters) {
        if (template.isEmpty()) {
            return null;
        }
        Matcher m = PARAMETER.matcher(template);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String value = parameters.getFirst(m.group(1));
            if (value == null) {
                throw new IllegalStateException("@Access names the path parameter {" + m.group(1) + "}, which the endpoint does not have");
            }
            m.appendReplacement(b, Matcher.quoteReplacement(value));
        }
        m.appendTail(b);
        return b.toString();
    }
}
