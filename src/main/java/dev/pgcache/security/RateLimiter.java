package dev.pgcache.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * A token bucket per key name: {@code burst} requests at once, refilled at
 * {@code requests-per-second}. Per replica: with N replicas a key may make N times the rate.
 */
@ApplicationScoped
class RateLimiter {

    private final boolean enabled;
    private final double perSecond;
    private final double burst;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimiter(dev.pgcache.config.PgcacheConfig pgcacheConfig) {
        AuthConfig config = pgcacheConfig.auth();
        this.enabled = config.rateLimit().enabled();
        this.perSecond = config.rateLimit().requestsPerSecond();
        this.burst = Math.max(1, config.rateLimit().burst());
        if (enabled && perSecond <= 0) {
            throw new IllegalStateException("pgcache.auth.rate-limit.requests-per-second must be above 0");
        }
    }

    /** 0 when the request may go ahead, else the whole seconds to wait before the next one would. */
    long secondsToWait(String keyName) {
        if (!enabled) {
            return 0;
        }
        return buckets.computeIfAbsent(keyName, k -> new Bucket(burst)).take(perSecond, burst, System.nanoTime());
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double burst) {
            this.tokens = burst;
            this.last = System.nanoTime();
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
