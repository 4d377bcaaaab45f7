package dev.pgcache.api;

import jakarta.inject.Singleton;

import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.KeyRules;
import dev.pgcache.entry.NamespacePolicies;

/**
 * The namespace and key of a {@code /v1/cache/…} path, from the raw (still percent-encoded)
 * segments: decoded strictly ({@link PathText}) and checked ({@link KeyRules}), so a key may
 * hold '/', '?', '#' or any other UTF-8 character when the caller encodes it. Every cache
 * resource and {@link CacheGetRoute} read their paths through here.
 */
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
class CachePaths {

    private final KeyRules keyRules;
    private final NamespacePolicies policies;

    CachePaths(KeyRules keyRules, NamespacePolicies policies) {
        this.keyRules = keyRules;
        this.policies = policies;
    }

    /** A valid namespace this service serves (404 unknown-namespace when undeclared ones are refused). */
    String namespace(String rawNamespace) {
        String namespace = keyRules.checkNamespace(PathText.decode(rawNamespace, "namespace"));
        policies.policyFor(namespace);
        return namespace;
    }

    /** A valid namespace and key; whether the namespace is served is left to the caller's next step. */
    EntryId id(String rawNamespace, String rawKey) {
        return keyRules.checkId(PathText.decode(rawNamespace, "namespace"), PathText.decode(rawKey, "key"));
    }

    /** A valid namespace and key in a namespace this service serves. */
    EntryId servedId(String rawNamespace, String rawKey) {
        EntryId id = id(rawNamespace, rawKey);
        policies.policyFor(id.namespace());
        return id;
    }
}
