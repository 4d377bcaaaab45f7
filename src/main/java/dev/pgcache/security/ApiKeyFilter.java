package dev.pgcache.security;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.pgcache.api.Problem;
import dev.pgcache.api.ProblemResponses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Checks the API key of every request before routing and before its body is read, against
 * {@link AccessPolicy}. No or unknown key: 401 with {@code WWW-Authenticate: Bearer}; a key
 * without the scope or namespace: 403; over its rate: 429 with Retry-After. The key's name (never
 * its secret) goes into the log and the {@code pgcache_auth_requests_total} metric, and into the
 * routing context as {@link #KEY_NAME} for later use.
 */
@ApplicationScoped
class ApiKeyFilter {

    static final String KEY_NAME = "pgcache.key-name";
    private static final Logger LOG = Logger.getLogger(ApiKeyFilter.class);
    private static final String BEARER = "bearer ";

    private final AuthConfig config;
    private final ApiKeys keys;
    private final RateLimiter rateLimiter;
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    ApiKeyFilter(dev.pgcache.config.PgcacheConfig pgcacheConfig, ApiKeys keys, RateLimiter rateLimiter, MeterRegistry registry) {
        this.config = pgcacheConfig.auth();
        this.keys = keys;
        this.rateLimiter = rateLimiter;
        this.registry = registry;
    }

    void warnAtStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.warn("*** pgcache.auth.enabled=false: EVERY request is allowed without an API key. "
                    + (LaunchMode.current() == LaunchMode.DEVELOPMENT ? "(dev mode default) " : "")
                    + "Never run like this where anyone else can reach the port. ***");
        } else if (keys.size() == 0) {
            LOG.warn("pgcache.auth is on but no key is configured (pgcache.auth.keys.<name>.*): every /v1 request will get 401");
        }
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 2).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        if (!config.enabled()) {
            ctx.put(Caller.CONTEXT_KEY, Caller.UNRESTRICTED);
            ctx.next();
            return;
        }
        String uri = ctx.request().uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        Optional<RequiredAccess> required = AccessPolicy.requiredFor(ctx.request().method().name(), path, config.openMetrics());
        if (required.isEmpty()) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        if (header == null || header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            count("-", "unauthenticated");
            deny(ctx, Problem.of(401, "unauthorized", "Unauthorized",
                    "send an API key as 'Authorization: Bearer <secret>'"), true);
            return;
        }
        Optional<ApiKey> key = keys.authenticate(header.substring(BEARER.length()).trim());
        if (key.isEmpty()) {
            count("-", "unauthenticated");
            deny(ctx, Problem.of(401, "unauthorized", "Unauthorized", "the API key is not valid"), true);
            return;
        }
        ApiKey k = key.get();
        if (!k.allows(required.get())) {
            count(k.name(), "forbidden");
            LOG.infof("key '%s' refused: %s %s needs %s", k.name(), ctx.request().method(), path, required.get().describe());
            deny(ctx, Problem.of(403, "forbidden", "Forbidden",
                    "the key '" + k.name() + "' lacks " + required.get().describe()), false);
            return;
        }
        long wait = rateLimiter.secondsToWait(k.name());
        if (wait > 0) {
            count(k.name(), "rate-limited");
            ctx.response().putHeader("Retry-After", Long.toString(wait));
            deny(ctx, Problem.of(429, "rate-limited", "Too many requests",
                    "the key '" + k.name() + "' is over its rate limit; retry after " + wait + " s"), false);
            return;
        }
        count(k.name(), "allowed");
        ctx.put(KEY_NAME, k.name());
        ctx.put(Caller.CONTEXT_KEY, new Caller(k.name(), k.scopes()));
        ctx.next();
    }

    private void deny(RoutingContext ctx, Problem problem, boolean challenge) {
        if (challenge) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"pgcache\"");
        }
        // a refused request's body is never read; closing keeps it from being taken for the next request
        ProblemResponses.send(ctx, problem, ctx.request().headers().contains("Content-Length")
                || ctx.request().headers().contains("Transfer-Encoding"));
    }

    private void count(String keyName, String outcome) {
        counters.computeIfAbsent(keyName + "|" + outcome, k -> Counter.builder("pgcache.auth.requests")
                .description("Requests checked for an API key, by key name and outcome")
                .tag("key", keyName)
                .tag("outcome", outcome)
                .register(registry)).increment();
    }
}
