package dev.pgcache.security;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who is calling, once the API key was checked: the key's name (for logs and metrics, never its
 * secret), its scopes and the namespaces it may touch. The HTTP layer keeps it in the request's
 * routing context under {@link #CONTEXT_KEY}; each endpoint decides on it with {@link #allows}, and
 * the JSON-RPC proxy forwards only the methods its scopes cover.
 */
public record Caller(String name, Set<Scope> scopes, List<Pattern> namespaces) {

    public static final String CONTEXT_KEY = "pgcache.caller";

    /** Every scope on every namespace: what a request has when authentication is off (dev mode). */
    public static final Caller UNRESTRICTED = new Caller("-", Set.copyOf(EnumSet.allOf(Scope.class)), List.of(Pattern.compile(".*")));

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }

    public boolean allows(RequiredAccess access) {
        if (!has(access.scope())) {
            return false;
        }
        if (access.namespace() == null) {
            return true;
        }
        for (Pattern p : namespaces) { // a loop, not a stream: this runs on every request
            if (p.matcher(access.namespace()).matches()) {
                return true;
            }
        }
        return false;
    }

    /** A namespace pattern: '*' matches any run of characters, everything else itself. */
    static Pattern namespacePattern(String glob) {
        StringBuilder regex = new StringBuilder();
        for (String part : glob.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
