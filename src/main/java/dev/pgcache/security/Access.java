package dev.pgcache.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The access an endpoint needs, declared on the endpoint itself. The HTTP layer checks it where
 * the request was matched to the endpoint, with the path parameters the endpoint receives, so the
 * decision is made on exactly what will be served. An endpoint without it is refused to everyone.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Access {

    Scope value();

    /**
     * The namespace the call touches, as a template over the endpoint's path parameters:
     * {@code "{namespace}"}, {@code "rpc-{upstream}"}; empty for calls that touch no single
     * namespace (admin).
     */
    String namespace() default "";
}
