package dev.pgcache.rpc;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Rules by JSON-RPC method: keyed by an exact name or by a prefix ending in {@code *}. An exact
 * name beats a prefix, and a longer prefix beats a shorter one. The shipped rules of a chain kind
 * come first; rules from config replace those of the same method or prefix. Used for both the
 * cache policy ({@link RpcMethodPolicy}) and the access classes ({@link RpcMethodAccess}).
 *
 * @param <R> a parsed rule
 */
final class MethodTable<R> {

    private final Map<String, R> exact = new LinkedHashMap<>();
    private final List<Map.Entry<String, R>> prefixes;

    /**
     * @param defaults  the shipped rules (or none)
     * @param overrides rules from config, replacing the defaults of the same method or prefix
     * @param parse     reads one rule; throws IllegalArgumentException when it does not parse
     * @throws IllegalArgumentException naming the method of a rule that does not parse
     */
    MethodTable(Map<String, String> defaults, Map<String, String> overrides, Function<String, R> parse) {
        Map<String, String> all = new LinkedHashMap<>(defaults);
        all.putAll(overrides);
        Map<String, R> byPrefix = new LinkedHashMap<>();
        all.forEach((method, spec) -> {
            R rule;
            try {
                rule = parse.apply(spec);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(method + ": " + e.getMessage());
            }
            if (method.endsWith("*")) {
                byPrefix.put(method.substring(0, method.length() - 1), rule);
            } else {
                exact.put(method, rule);
            }
        });
        this.prefixes = byPrefix.entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, R> e) -> e.getKey().length()).reversed()).toList();
    }

    /** The shipped rules of a chain kind: ethereum or substrate. */
    static Map<String, String> forChain(String chain, Map<String, String> ethereum, Map<String, String> substrate) {
        return switch (chain.toLowerCase(Locale.ROOT)) {
            case "ethereum" -> ethereum;
            case "substrate" -> substrate;
            default -> throw new IllegalArgumentException("'" + chain + "' is not a chain kind; use ethereum or substrate");
        };
    }

    /** The rule of the method, or null when no rule names it. */
    R ruleOf(String method) {
        R rule = exact.get(method);
        if (rule != null) {
            return rule;
        }
        for (Map.Entry<String, R> p : prefixes) {
            if (method.startsWith(p.getKey())) {
                return p.getValue();
            }
        }
        return null;
    }

    /** The rule that decides, for metrics: the method when named, the prefix with '*', else "_other", so callers cannot grow the series. */
    String label(String method) {
        if (exact.containsKey(method)) {
            return method;
        }
        for (Map.Entry<String, R> p : prefixes) {
            if (method.startsWith(p.getKey())) {
                return p.getKey() + "*";
            }
        }
        return "_other";
    }
}
