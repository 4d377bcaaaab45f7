package dev.pgcache.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;
import dev.pgcache.config.AuthConfig;

/**
 * Token buckets: one per key name ({@code pgcache.auth.rate-limit}, off by default) and one per
 * client address for requests that carry no valid key ({@code pgcache.auth.anonymous-rate-limit},
 * on by default), so guessing keys or hammering the front door costs the guesser, not everyone.
 * Per replica: with N replicas a caller may make N times the rate.
 */
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
public class RateLimiter {

    /** More client addresses than this and idle buckets are dropped (bounded memory under a spread-out flood). */
    static final int MAX_ADDRESSES = 10_000;

    private final Buckets perKey;
    private final Buckets perAddress;

    RateLimiter(dev.pgcache.config.PgcacheConfig pgcacheConfig) {
        AuthConfig config = pgcacheConfig.auth();
        this.perKey = Buckets.of(config.rateLimit().enabled(), config.rateLimit().requestsPerSecond(), config.rateLimit().burst(),
                "pgcache.auth.rate-limit");
        AuthConfig.AnonymousRateLimit anonymous = config.anonymousRateLimit();
        this.perAddress = Buckets.of(anonymous.enabled(), anonymous.requestsPerSecond(), anonymous.burst(),
                "pgcache.auth.anonymous-rate-limit");
    }

    /** 0 when the key's request may go ahead, else the whole seconds to wait before the next one would. */
    public long secondsToWait(String keyName) {
        return perKey.take(keyName);
    }

    /** The same for a request without a valid key, by the client's address. */
    public long secondsToWaitAnonymous(String address) {
        return perAddress.take(address == null ? "-" : address);
    }

    private record Buckets(boolean enabled, double perSecond, double burst, Map<String, Bucket> byName) {

        static Buckets of(boolean enabled, double perSecond, int burst, String prefix) {
            if (enabled && perSecond <= 0) {
                throw new IllegalStateException(prefix + ".requests-per-second must be above 0");
            }
            return new Buckets(enabled, perSecond, Math.max(1, burst), new ConcurrentHashMap<>());
        }

        long take(String name) {
            if (!enabled) {
                return 0;
            }
            long now = System.nanoTime();
            if (byName.size() > MAX_ADDRESSES) {
                forgetIdle(now);
            }
            return byName.computeIfAbsent(name, k -> new Bucket(burst, now)).take(perSecond, burst, now);
        }

        /** A bucket untouched for long enough to be full again holds nothing worth keeping. */
        private void forgetIdle(long now) {
            long refill = (long) (burst / perSecond * 1e9);
            byName.values().removeIf(b -> b.idleSince(now) > refill);
            if (byName.size() > MAX_ADDRESSES) {
                byName.clear();
            }
        }
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double burst, long now) {
            this.tokens = burst;
            this.last = now;
        }

        synchronized long idleSince(long now) {
            return now - last;
        }

        synchronized long take(double perSecond, double burst, long now) {
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / perSecond);
        }
    }
}
