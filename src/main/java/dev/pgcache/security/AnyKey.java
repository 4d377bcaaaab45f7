package dev.pgcache.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares an endpoint that any valid key may call, whatever its scopes and namespaces, because it
 * answers only about the calling key itself ({@code GET /v1/me}: a key with the admin scope alone
 * may ask who it is too). The key is still checked (401 without a valid one); what the answer
 * lists is still decided per scope and namespace. Stands instead of {@link Access}: an endpoint
 * with neither is refused to everyone.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface AnyKey {
}
