package dev.pgcache.entry;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.inject.Singleton;

import io.quarkus.runtime.Startup;

import dev.pgcache.protocol.ProblemException;
import dev.pgcache.config.Durability;
import dev.pgcache.config.Durations;
import dev.pgcache.config.PgcacheConfig;

/**
 * The policy of every namespace, read once from config and checked at start, so a typo in a
 * TTL stops the service at boot rather than at the first write. Namespaces not declared in
 * config get the defaults ({@code pgcache.defaults.*}) unless
 * {@code pgcache.allow-undeclared-namespaces=false}.
 */
@Startup // built at boot, so a bad setting stops the start instead of the first request
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
public class NamespacePolicies {

    /**
     * A namespace's defaults for writes that do not say, and how its writes commit.
     *
     * @param durability whether its writes' commits wait for the WAL flush ({@link Durability})
     */
    public record Policy(String namespace, boolean declared, Lifetime lifetime, Durability durability) {
    }

    private final Map<String, Policy> declared = new TreeMap<>();
    private final Lifetime defaults;
    private final Durability defaultDurability;
    private final boolean allowUndeclared;
    private final Duration maxTtl;

    NamespacePolicies(PgcacheConfig config, KeyRules keyRules) {
        this.maxTtl = config.limits().maxTtl();
        this.defaults = lifetime("pgcache.defaults", config.defaults().ttl(), config.defaults().stale());
        this.allowUndeclared = config.allowUndeclaredNamespaces();
        this.defaultDurability = config.defaults().durability();
        config.namespaces().forEach((name, policy) -> {
            try {
                keyRules.checkNamespace(name);
            } catch (ProblemException e) {
                throw new IllegalStateException("pgcache.namespaces." + name + ": " + e.getMessage());
            }
            Lifetime lifetime = lifetime("pgcache.namespaces." + name, policy.ttl().orElse(config.defaults().ttl()),
                    policy.stale().orElse(config.defaults().stale()));
            declared.put(name, new Policy(name, true, lifetime, policy.durability().orElse(defaultDurability)));
        });
        // every JSON-RPC upstream keeps its answers in namespace rpc-<name>: declared, so it is listed and
        // can be invalidated even with allow-undeclared-namespaces=false (the proxy sets each entry's lifetime itself)
        config.rpc().upstreams().keySet().forEach(upstream ->
                declared.putIfAbsent("rpc-" + upstream, new Policy("rpc-" + upstream, true, defaults, defaultDurability)));
    }

    /** The policy for a namespace a caller named, already checked against {@link KeyRules}. */
    public Policy policyFor(String namespace) {
        Policy policy = declared.get(namespace);
        if (policy != null) {
            return policy;
        }
        if (!allowUndeclared) {
            throw new ProblemException(404, "unknown-namespace", "Unknown namespace", "namespace '" + namespace
                    + "' is not declared (pgcache.namespaces." + namespace + ".*) and pgcache.allow-undeclared-namespaces is false");
        }
        return new Policy(namespace, false, defaults, defaultDurability);
    }

    /** The policy a namespace has or would have, without refusing undeclared ones (for reports on rows already stored). */
    public Policy describe(String namespace) {
        Policy policy = declared.get(namespace);
        return policy != null ? policy : new Policy(namespace, false, defaults, defaultDurability);
    }

    /** How writes in the namespace commit: its own durability, or pgcache.defaults.durability. */
    public Durability durabilityOf(String namespace) {
        Policy policy = declared.get(namespace);
        return policy != null ? policy.durability() : defaultDurability;
    }

    public Map<String, Policy> declared() {
        return Map.copyOf(declared);
    }

    /**
     * The lifetime of one write: the caller's TTL and stale window where given, else the
     * namespace's. Text is parsed here so every entry point reads durations the same way.
     */
    public Lifetime lifetimeFor(String namespace, String ttlText, String staleText) {
        Lifetime policy = policyFor(namespace).lifetime();
        Optional<Duration> ttl = policy.ttl();
        Duration stale = policy.stale();
        if (ttlText != null) {
            ttl = parse("ttl", () -> Durations.parseTtl(ttlText));
        }
        if (staleText != null) {
            stale = parse("stale", () -> Optional.of(Durations.parse(staleText))).orElseThrow();
        }
        return new Lifetime(ttl, stale);
    }

    private Optional<Duration> parse(String what, java.util.function.Supplier<Optional<Duration>> parser) {
        Optional<Duration> d;
        try {
            d = parser.get();
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("invalid-" + what, what + " " + e.getMessage());
        }
        if (d.isPresent() && d.get().compareTo(maxTtl) > 0) {
            throw ProblemException.badRequest("invalid-" + what,
                    what + " " + d.get() + " is longer than the limit pgcache.limits.max-ttl=" + maxTtl + "; use ttl=never for no expiry");
        }
        return d;
    }

    /** A configured lifetime, checked like a caller's; a bad one stops the service at start with the property named. */
    private Lifetime lifetime(String prefix, String ttl, String stale) {
        try {
            return new Lifetime(parse("ttl", () -> Durations.parseTtl(ttl)), parse("stale", () -> Optional.of(Durations.parse(stale))).orElseThrow());
        } catch (ProblemException | IllegalArgumentException e) {
            throw new IllegalStateException(prefix + ": " + e.getMessage(), e);
        }
    }
}
