package dev.pgcache.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * API keys and their rights ({@code pgcache.auth.*}), a branch of the one config tree
 * {@link dev.pgcache.config.PgcacheConfig}; docs/security.md explains each setting.
 */
public interface AuthConfig {

    /** On unless turned off; dev mode turns it off, with a warning at start. */
    @WithDefault("true")
    boolean enabled();

    /** The keys, by name. The name appears in logs and metrics; the secret never does. */
    Map<String, Key> keys();

    /** Serve /q/metrics without a key (e.g. when only a private network reaches the port). */
    @WithName("open-metrics")
    @WithDefault("false")
    boolean openMetrics();

    @WithName("rate-limit")
    RateLimit rateLimit();

    /** Requests without a valid key (none, unknown, or to public endpoints), by client address; on by default. */
    @WithName("anonymous-rate-limit")
    AnonymousRateLimit anonymousRateLimit();

    interface Key {
        /** Hex SHA-256 of the secret the caller sends as {@code Authorization: Bearer <secret>}. */
        @WithName("secret-sha256")
        String secretSha256();

        /** Any of read, write, admin. */
        List<String> scopes();

        /** Namespaces the key may touch: names or patterns with '*' (e.g. {@code blocks-*}, {@code *}). Needed with read or write. */
        Optional<List<String>> namespaces();
    }

    interface RateLimit {
        /** Off by default. */
        @WithDefault("false")
        boolean enabled();

        /** Sustained requests per second allowed to each key. */
        @WithName("requests-per-second")
        @WithDefault("100")
        double requestsPerSecond();

        /** Requests a key may make at once above the sustained rate. */
        @WithDefault("200")
        int burst();
    }

    /** The same bucket, per client address, for requests without a valid key. */
    interface AnonymousRateLimit {
        @WithDefault("true")
        boolean enabled();

        @WithName("requests-per-second")
        @WithDefault("20")
        double requestsPerSecond();

        @WithDefault("40")
        int burst();
    }
}
