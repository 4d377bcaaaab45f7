package dev.pgcache.rpc;

import java.math.BigInteger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How JSON-RPC parameters name a block: a tag (latest, safe, finalized, pending), a number (hex
 * quantity, decimal string or JSON integer), a hash, or an EIP-1898 object; and eth_getLogs'
 * filter, named by its blockHash or the higher of its fromBlock and toBlock.
 */
final class BlockParams {

    private static final Pattern HASH = Pattern.compile("0x[0-9a-fA-F]{64}");
    private static final Pattern HEX_NUMBER = Pattern.compile("0x[0-9a-fA-F]{1,15}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,18}");

    private BlockParams() {
    }

    /** A block as a parameter names it. */
    sealed interface Ref {
        record Tag(String name) implements Ref {
        }

        record Number(long n) implements Ref {
        }

        record Hash(String hash) implements Ref {
        }

        record Invalid() implements Ref {
        }
    }

    static JsonNode param(JsonNode params, int i) {
        return params != null && params.isArray() ? params.get(i) : null;
    }

    /** Reads a block parameter; absent or null means latest, as nodes read it. */
    static Ref of(JsonNode p) {
        if (p == null || p.isNull()) {
            return new Ref.Tag("latest");
        }
        if (p.isObject()) {
            if (p.hasNonNull("blockHash")) {
                return of(p.get("blockHash")) instanceof Ref.Hash h ? h : new Ref.Invalid();
            }
            return p.hasNonNull("blockNumber") ? of(p.get("blockNumber")) : new Ref.Invalid();
        }
        if (p.isTextual()) {
            String s = p.asText();
            switch (s) {
                case "latest", "pending", "safe", "finalized" -> {
                    return new Ref.Tag(s);
                }
                case "earliest" -> {
                    return new Ref.Number(0);
                }
                default -> {
                }
            }
            if (HASH.matcher(s).matches()) {
                return new Ref.Hash(s);
            }
        }
        BigInteger n = number(p);
        return n == null ? new Ref.Invalid() : new Ref.Number(n.longValue());
    }

    /** eth_getLogs: by blockHash, else by the higher of fromBlock and toBlock (both default to latest). */
    static Ref ofLogs(JsonNode params) {
        JsonNode filter = param(params, 0);
        if (filter == null || !filter.isObject()) {
            return new Ref.Invalid();
        }
        if (filter.hasNonNull("blockHash")) {
            return of(filter.get("blockHash")) instanceof Ref.Hash h ? h : new Ref.Invalid();
        }
        Ref from = of(filter.get("fromBlock"));
        Ref to = of(filter.get("toBlock"));
        if (from instanceof Ref.Invalid || to instanceof Ref.Invalid || from instanceof Ref.Hash || to instanceof Ref.Hash) {
            return new Ref.Invalid();
        }
        if (to instanceof Ref.Tag) {
            return to;
        }
        if (from instanceof Ref.Tag) {
            return from;
        }
        return new Ref.Number(Math.max(((Ref.Number) from).n(), ((Ref.Number) to).n()));
    }

    /** A block number as JSON-RPC writes it: a hex quantity ("0x1b4"), a decimal string or a JSON integer; null otherwise. */
    static BigInteger number(JsonNode p) {
        if (p == null) {
            return null;
        }
        if (p.isIntegralNumber() && p.bigIntegerValue().signum() >= 0 && p.bigIntegerValue().bitLength() < 63) {
            return p.bigIntegerValue();
        }
        if (p.isTextual()) {
            String s = p.asText();
            if (HEX_NUMBER.matcher(s).matches()) {
                return new BigInteger(s.substring(2), 16);
            }
            if (DECIMAL.matcher(s).matches()) {
                return new BigInteger(s);
            }
        }
        return null;
    }
}
