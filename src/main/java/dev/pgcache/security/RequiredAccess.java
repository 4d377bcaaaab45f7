package dev.pgcache.security;

/**
 * What a request needs.
 *
 * @param namespace the namespace it touches, or null for requests that touch none (admin)
 */
public record RequiredAccess(Scope scope, String namespace) {

    public String describe() {
        return namespace == null ? "the " + scope.label() + " scope" : "the " + scope.label() + " scope on namespace '" + namespace + "'";
    }
}
