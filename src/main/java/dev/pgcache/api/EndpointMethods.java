package dev.pgcache.api;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.pgcache.security.Access;

/**
 * An endpoint's own method on its resource class. The routes and the OpenAPI text of an
 * endpoint are declared on an interface ({@code EntryApi}, …) and what is about handling, the
 * {@link Access} above all, on the resource class that implements it; the framework may name
 * either method, so both {@link EndpointAccess} (at run time) and {@link CommonProblemsFilter}
 * (at build time) read {@link Access} through here.
 */
final class EndpointMethods {

    private record Key(Class<?> resource, Method method) {
    }

    private static final Map<Key, Method> IMPLEMENTATIONS = new ConcurrentHashMap<>();

    private EndpointMethods() {
    }

    /** The resource class's public method with the same name and parameters; the method itself when there is none. */
    static Method implementation(Class<?> resource, Method method) {
        if (resource == null || method.getDeclaringClass() == resource) {
            return method;
        }
        return IMPLEMENTATIONS.computeIfAbsent(new Key(resource, method), k -> {
            try {
                return resource.getMethod(method.getName(), method.getParameterTypes());
            } catch (NoSuchMethodException e) {
                return method;
            }
        });
    }

    /** The endpoint's declared access, from its resource class's method; null when it declares none. */
    static Access access(Class<?> resource, Method method) {
        return implementation(resource, method).getAnnotation(Access.class);
    }
}
