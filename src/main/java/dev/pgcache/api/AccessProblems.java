package dev.pgcache.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.pgcache.protocol.Problem;
import dev.pgcache.protocol.ProblemException;
import dev.pgcache.security.Caller;
import dev.pgcache.security.RequiredAccess;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The answers of access control (401, 403, 429), wherever the decision is made, and their count in
 * {@code pgcache_auth_requests_total{key, outcome}}: the key's name, never its secret, and never a
 * path (paths are the caller's to choose, and would let anyone fill the series).
 */
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
class AccessProblems {

    private static final Logger LOG = Logger.getLogger(AccessProblems.class);
    static final String CHALLENGE = "Bearer realm=\"pgcache\"";

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Counter> allowed = new ConcurrentHashMap<>();

    AccessProblems(MeterRegistry registry) {
        this.registry = registry;
    }

    ProblemException unauthenticated(String detail) {
        count("-", "unauthenticated");
        return new ProblemException(Problem.of(401, "unauthorized", "Unauthorized", detail), Map.of("WWW-Authenticate", CHALLENGE));
    }

    ProblemException forbidden(Caller caller, RequiredAccess needed, String what) {
        count(caller.name(), "forbidden");
        LOG.infof("key '%s' refused: %s needs %s", caller.name(), what, needed.describe());
        return new ProblemException(403, "forbidden", "Forbidden", "the key '" + caller.name() + "' lacks " + needed.describe());
    }

    /** An endpoint that declares no access is refused to everyone: deny by default. */
    ProblemException undeclared(Caller caller, String what) {
        count(caller.name(), "forbidden");
        LOG.errorf("%s declares no access rule (@Access); refused", what);
        return new ProblemException(403, "forbidden", "Forbidden", "this endpoint declares no access rule, so no key may call it");
    }

    ProblemException rateLimited(String who, String keyName, long waitSeconds) {
        count(keyName, "rate-limited");
        return new ProblemException(Problem.of(429, "rate-limited", "Too many requests",
                who + " is over its rate limit; retry after " + waitSeconds + " s"), Map.of("Retry-After", Long.toString(waitSeconds)));
    }

    void allowed(Caller caller) {
        // on every admitted request: looked up by the key's name alone, without building a map key
        allowed.computeIfAbsent(caller.name(), name -> counter(name, "allowed")).increment();
    }

    private void count(String keyName, String outcome) {
        counters.computeIfAbsent(keyName + "|" + outcome, k -> counter(keyName, outcome)).increment();
    }

    private Counter counter(String keyName, String outcome) {
        return Counter.builder("pgcache.auth.requests")
                .description("Requests checked for an API key, by key name and outcome")
                .tag("key", keyName)
                .tag("outcome", outcome)
                .register(registry);
    }
}
