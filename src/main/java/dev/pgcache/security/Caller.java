package dev.pgcache.security;

import java.util.EnumSet;
import java.util.Set;

/**
 * Who is calling, once the API key was checked: the key's name (for logs and metrics, never its
 * secret) and its scopes. The HTTP layer keeps it in the request's routing context under
 * {@link #CONTEXT_KEY} for endpoints whose answer depends on the scopes (the JSON-RPC proxy
 * forwards only the methods the key may call).
 */
public record Caller(String name, Set<Scope> scopes) {

    public static final String CONTEXT_KEY = "pgcache.caller";

    /** Every scope: what a request has when authentication is off (dev mode). */
    public static final Caller UNRESTRICTED = new Caller("-", Set.copyOf(EnumSet.allOf(Scope.class)));

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }
}
