package dev.pgcache.purge;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.pgcache.config.DefaultsConfig;
import dev.pgcache.config.PgcacheConfig;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.MemorySize;

/**
 * The size bounds of declared namespaces ({@code pgcache.namespaces.<name>.max-entries} and
 * {@code .max-bytes}) and of the whole table ({@code pgcache.storage.max-entries} and
 * {@code .max-bytes}), read and checked at start so a bad bound stops the service at boot.
 *
 * <p>Namespace bounds exist for declared namespaces only. Under {@code pgcache.defaults} they
 * would apply to every undeclared namespace, and purge would have to find those by grouping the
 * whole table on every run; so setting them there is refused with a message that says so and
 * points to the table's cap, which counts undeclared namespaces too.
 */
@Startup
@ApplicationScoped
public class NamespaceBounds {

    /**
     * The bounds of one namespace; {@link Long#MAX_VALUE} where it has none.
     *
     * @param maxBytes on the sum of size_bytes, the JSON text as written
     */
    public record Bound(String namespace, long maxEntries, long maxBytes) {
    }

    private final List<Bound> bounds;
    private final Optional<Bound> table;

    NamespaceBounds(PgcacheConfig config) {
        refuseDefaults(config.defaults());
        Map<String, Bound> byName = new TreeMap<>();
        config.namespaces().forEach((name, policy) ->
                bound(name, "pgcache.namespaces." + name, policy.maxEntries(), policy.maxBytes()).ifPresent(b -> byName.put(name, b)));
        this.bounds = List.copyOf(byName.values());
        this.table = bound(null, "pgcache.storage", config.storage().maxEntries(), config.storage().maxBytes());
    }

    /** The namespaces that have a bound, by name. */
    public List<Bound> all() {
        return bounds;
    }

    /** The cap on the whole table, every namespace counted, if one is set (its namespace is null). */
    public Optional<Bound> table() {
        return table;
    }

    private static Optional<Bound> bound(String namespace, String prefix, Optional<Long> maxEntries, Optional<MemorySize> maxBytes) {
        if (maxEntries.isPresent() && maxEntries.get() < 1) {
            throw new IllegalStateException(prefix + ".max-entries must be at least 1, was " + maxEntries.get()
                    + "; leave it out for no bound");
        }
        if (maxBytes.isPresent() && maxBytes.get().asLongValue() < 1) {
            throw new IllegalStateException(prefix + ".max-bytes must be at least 1 byte, was " + maxBytes.get().asLongValue()
                    + "; leave it out for no bound");
        }
        if (maxEntries.isEmpty() && maxBytes.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Bound(namespace, maxEntries.orElse(Long.MAX_VALUE), maxBytes.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE)));
    }

    private static void refuseDefaults(DefaultsConfig defaults) {
        for (String name : new String[] { "max-entries", "max-bytes" }) {
            boolean set = name.equals("max-entries") ? defaults.maxEntries().isPresent() : defaults.maxBytes().isPresent();
            if (set) {
                throw new IllegalStateException("pgcache.defaults." + name + " is not supported: bounds apply to declared namespaces only "
                        + "(purge would have to scan the whole table each run to find undeclared ones); "
                        + "set pgcache.namespaces.<name>." + name + " for each namespace to bound, or pgcache.storage." + name
                        + " to cap the whole table, undeclared namespaces included");
            }
        }
    }
}
