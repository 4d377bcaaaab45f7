package dev.pgcache.load;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.Startup;

import dev.pgcache.config.CircuitBreakerConfig;
import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.tracing.Tracing;
import dev.pgcache.config.RetryConfig;
import dev.pgcache.config.UpstreamConfig;
import dev.pgcache.entry.NamespacePolicies;
import dev.pgcache.protocol.JsonBodies;

/**
 * The upstreams of all namespaces that declare one, built and checked once at start: a bad URL
 * template, header, timeout or retry setting stops the service with the property named (and
 * never a header's value), instead of failing on the first GET.
 */
@Startup
@ApplicationScoped
public class Upstreams {

    /** Header names the JDK client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");
    private static final String TOKEN_CHARS = "!#$%&'*+-.^_`|~";

    private final Map<String, Upstream> byNamespace = new TreeMap<>();

    Upstreams(PgcacheConfig config, NamespacePolicies policies, JsonBodies json, LoadMetrics metrics, Tracing tracing,
            @ConfigProperty(name = "quarkus.datasource.jdbc.max-size", defaultValue = "20") int poolSize) {
        int concurrent = config.load().maxConcurrent();
        // the JSON-RPC proxy's calls under load locks take the same slots (LoadSlots)
        boolean anyUpstream = config.namespaces().values().stream().anyMatch(ns -> ns.upstream().isPresent())
                || !config.rpc().upstreams().isEmpty();
        if (anyUpstream && (concurrent < 1 || concurrent >= poolSize)) {
            throw new IllegalStateException("pgcache.load.max-concurrent=" + concurrent + " must be at least 1 and below "
                    + "quarkus.datasource.jdbc.max-size=" + poolSize + ": every running load (and JSON-RPC call under a load lock) "
                    + "holds one pooled connection");
        }
        if (config.load().maxQueued() < 0) {
            throw new IllegalStateException("pgcache.load.max-queued must not be negative");
        }
        policies.declared(); // namespace names are checked there
        config.namespaces().forEach((namespace, ns) -> ns.upstream().ifPresent(u -> {
            String prefix = "pgcache.namespaces." + namespace + ".upstream";
            UrlTemplate template;
            try {
                template = UrlTemplate.parse(u.url());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(prefix + ".url " + e.getMessage());
            }
            check(prefix, u);
            Source source = new GuardedSource(namespace,
                    new HttpSource(namespace, template, u.headers(), u.timeout(), json.maxValueBytes(), json),
                    u.retry(), u.circuitBreaker(), u.waitTimeout(), metrics, tracing);
            byNamespace.put(namespace, new Upstream(namespace, source, u.honorMaxAge(), u.negativeTtl(), u.waitTimeout()));
        }));
    }

    /** The namespace's upstream, or empty for a plain cache namespace. */
    public Optional<Upstream> of(String namespace) {
        return Optional.ofNullable(byNamespace.get(namespace));
    }

    private static void check(String prefix, UpstreamConfig u) {
        if (u.negativeTtl().isNegative()) {
            throw new IllegalStateException(prefix + ".negative-ttl must not be negative");
        }
        checkCall(prefix, u.timeout(), u.waitTimeout(), u.retry(), u.circuitBreaker(), u.headers());
    }

    /**
     * Checks the settings every upstream has (timeouts, retries, circuit breaker, headers), for the
     * read-through upstreams here and the JSON-RPC proxy's; a bad one stops the start with the property named.
     */
    public static void checkCall(String prefix, Duration timeout, Duration waitTimeout, RetryConfig retry,
            CircuitBreakerConfig cb, Map<String, String> headers) {
        positive(prefix + ".timeout", timeout);
        positive(prefix + ".wait-timeout", waitTimeout);
        if (retry.maxRetries() < 0 || retry.maxRetries() > 10) {
            throw new IllegalStateException(prefix + ".retry.max-retries must be from 0 to 10");
        }
        if (retry.delay().isNegative() || retry.maxDelay().isNegative()) {
            throw new IllegalStateException(prefix + ".retry.delay and .retry.max-delay must not be negative");
        }
        if (retry.maxRetries() > 0 && retry.delay().compareTo(waitTimeout) >= 0) {
            throw new IllegalStateException(prefix + ".retry.delay must be shorter than " + prefix + ".wait-timeout");
        }
        if (cb.enabled()) {
            if (cb.requestVolumeThreshold() < 1 || cb.successThreshold() < 1) {
                throw new IllegalStateException(prefix + ".circuit-breaker.request-volume-threshold and .success-threshold must be at least 1");
            }
            if (!(cb.failureRatio() > 0 && cb.failureRatio() <= 1)) {
                throw new IllegalStateException(prefix + ".circuit-breaker.failure-ratio must be above 0 and at most 1");
            }
            positive(prefix + ".circuit-breaker.delay", cb.delay());
        }
        headers.forEach((name, value) -> {
            // the value is a secret: messages name the header only
            if (name.isEmpty() || !name.chars().allMatch(c -> c < 127 && (Character.isLetterOrDigit(c) || TOKEN_CHARS.indexOf(c) >= 0))) {
                throw new IllegalStateException(prefix + ".headers: '" + name + "' is not a valid header name");
            }
            if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalStateException(prefix + ".headers." + name + ": this header is set by the HTTP client and cannot be configured");
            }
            if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalStateException(prefix + ".headers." + name + ": the value contains a line break or NUL");
            }
        });
    }

    private static void positive(String property, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalStateException(property + " must be longer than zero");
        }
    }
}
