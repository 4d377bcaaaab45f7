package dev.pgcache.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.inject.Singleton;

import io.quarkus.runtime.Startup;
import dev.pgcache.config.AuthConfig;

/**
 * The configured keys, checked at start (a malformed hash, scope or pattern stops the service).
 * Only SHA-256 hashes of secrets are configured; a presented secret is hashed and compared with
 * every key's hash in constant time, so neither the match nor its position leaks through timing.
 */
@Startup
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
public class ApiKeys {

    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern NAMESPACE_GLOB = Pattern.compile("[a-z0-9*][a-z0-9._*-]{0,63}");

    private record Entry(byte[] hash, Caller key) {
    }

    private static final MessageDigest SHA256 = newSha256(); // never used itself: cloned

    private final List<Entry> entries = new ArrayList<>();

    ApiKeys(dev.pgcache.config.PgcacheConfig pgcacheConfig) {
        AuthConfig config = pgcacheConfig.auth();
        config.keys().forEach((name, key) -> entries.add(new Entry(hash(name, key), apiKey(name, key))));
    }

    public int size() {
        return entries.size();
    }

    /** The key whose secret this is, if any. */
    public Optional<Caller> authenticate(String secret) {
        byte[] presented = sha256(secret);
        Caller found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.hash(), presented)) { // no early exit: every key is compared
                found = e.key();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] hash(String name, AuthConfig.Key key) {
        if (!HEX_SHA256.matcher(key.secretSha256().trim()).matches()) {
            throw new IllegalStateException("pgcache.auth.keys." + name + ".secret-sha256 must be 64 hex digits (the SHA-256 of the secret)");
        }
        return HexFormat.of().parseHex(key.secretSha256().trim().toLowerCase());
    }

    private static Caller apiKey(String name, AuthConfig.Key key) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String s : key.scopes()) {
            try {
                scopes.add(Scope.parse(s));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("pgcache.auth.keys." + name + ".scopes: " + e.getMessage());
            }
        }
        List<Pattern> namespaces = new ArrayList<>();
        for (String glob : key.namespaces().orElse(List.of())) {
            if (!NAMESPACE_GLOB.matcher(glob.trim()).matches()) {
                throw new IllegalStateException("pgcache.auth.keys." + name + ".namespaces: '" + glob
                        + "' is not a namespace name or a pattern with '*'");
            }
            namespaces.add(Caller.namespacePattern(glob.trim()));
        }
        if (namespaces.isEmpty() && (scopes.contains(Scope.READ) || scopes.contains(Scope.WRITE))) {
            throw new IllegalStateException("pgcache.auth.keys." + name + ".namespaces is required for a key with the read or write scope"
                    + " (use * for every namespace)");
        }
        return new Caller(name, Set.copyOf(scopes), List.copyOf(namespaces));
    }

    static byte[] sha256(String secret) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) SHA256.clone(); // on every request: a copy is cheaper than a provider lookup
        } catch (CloneNotSupportedException e) {
            digest = newSha256();
        }
        return digest.digest(secret.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
