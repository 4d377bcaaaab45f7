package dev.pgcache.api;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.pgcache.protocol.ProblemException;
import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.protocol.HttpDate;
import dev.pgcache.security.AccessPolicy;
import dev.pgcache.security.AccessPolicy.Gate;
import dev.pgcache.security.ApiKeys;
import dev.pgcache.config.AuthConfig;
import dev.pgcache.metrics.RecentActivity;
import dev.pgcache.security.Caller;
import dev.pgcache.security.RateLimiter;
import dev.pgcache.security.RequiredAccess;
import dev.pgcache.security.Scope;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The first handler every request meets, before routing and before its body is read:
 * <ol>
 * <li>the head's size and syntax ({@link RequestHead}): headers over their limit are a 431, a
 * target {@code java.net.URI} cannot read a 400, a request line over its limit a 414;</li>
 * <li>the target is read strictly ({@link RequestTarget}): a spelling the router would read
 * differently is a 400, so what is decided below is what gets served;</li>
 * <li>headers that carry access or preconditions are read strictly ({@link StrictHeaders});</li>
 * <li>the path's gate ({@link AccessPolicy}): undeclared paths are refused (404), public ones
 * pass, everything else needs a valid key (401), within its rate (429);</li>
 * <li>every answer gets a {@code Date} header (RFC 9110 §6.6.1);</li>
 * <li>the caller goes into the routing context; the endpoint that the request is matched to then
 * decides on scope and namespace with its own parameters ({@link EndpointAccess},
 * {@link CacheGetRoute});</li>
 * <li>an admitted /v1 request is timed to its last byte for {@link RecentActivity} (one clock read
 * and one add), which the console charts.</li>
 * </ol>
 * Requests without a valid key are rate-limited by client address.
 */
@ApplicationScoped
class FrontDoor {

    private static final Logger LOG = Logger.getLogger(FrontDoor.class);
    private static final String BEARER = "bearer ";
    /** Quarkus' own URI check, which answers with an empty 400 before routing; {@link RequestHead} makes it instead. */
    static final String URI_VALIDATION_OFF = "vertx.disableURIValidation";

    private final AuthConfig config;
    private final ApiKeys keys;
    private final RateLimiter rateLimiter;
    private final AccessProblems problems;
    private final RecentActivity activity;
    private final int maxKeyBytes;

    FrontDoor(PgcacheConfig config, ApiKeys keys, RateLimiter rateLimiter, AccessProblems problems, RecentActivity activity) {
        this.activity = activity;
        this.config = config.auth();
        this.maxKeyBytes = config.limits().maxKeyBytes();
        this.keys = keys;
        this.rateLimiter = rateLimiter;
        this.problems = problems;
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
        router.route().order(Integer.MIN_VALUE).handler(this::check);
        if (!Boolean.getBoolean(URI_VALIDATION_OFF)) {
            LOG.warn("-D" + URI_VALIDATION_OFF + "=true is not set (bin/jvm-options sets it): Quarkus answers a request target that "
                    + "java.net.URI cannot read (a malformed percent-escape, say) with an empty 400 before pgcache sees it");
        }
    }

    private void check(RoutingContext ctx) {
        ctx.response().putHeader(HttpHeaders.DATE, HttpDate.now()); // on every answer, refusals included
        Optional<Caller> caller;
        Gate gate;
        try {
            RequestHead.checkHeaderSize(ctx.request());
            RequestTarget target = RequestTarget.parse(ctx.request().uri());
            RequestHead.checkSyntax(ctx.request().uri());
            RequestHead.checkRequestLine(ctx.request(), target.segments(), maxKeyBytes);
            StrictHeaders.check(ctx.request().headers());
            gate = AccessPolicy.gateFor(target.segments(), config.openMetrics());
            caller = admit(ctx.request(), gate);
        } catch (ProblemException refused) {
            refused.headers().forEach(ctx.response()::putHeader);
            boolean oversizedHead = refused.problem().status() == 414 || refused.problem().status() == 431;
            if (oversizedHead) {
                // the decoder keeps a buffer as large as the longest line for the connection's life: end it
                ctx.response().endHandler(ended -> ctx.request().connection().close());
            }
            // a refused request's body is never read; closing keeps it from being taken for the next request
            ProblemResponses.send(ctx, refused.problem(), oversizedHead || hasBody(ctx.request()));
            return;
        }
        caller.ifPresent(c -> ctx.put(Caller.CONTEXT_KEY, c));
        if (gate == Gate.API) {
            long start = System.nanoTime(); // the latency the console charts: from here to the answer's last byte
            ctx.addEndHandler(ended -> activity.record(System.nanoTime() - start));
        }
        ctx.next();
    }

    /**
     * Lets a request through its gate, or throws the refusal.
     *
     * @return the checked caller; empty for a public path asked without a key
     */
    private Optional<Caller> admit(HttpServerRequest request, Gate gate) {
        if (gate == Gate.UNDECLARED) {
            throw new ProblemException(404, "not-found", "Not Found", "no resource at this path; see /q/openapi for the API");
        }
        if (!config.enabled()) {
            return Optional.of(Caller.UNRESTRICTED);
        }
        Optional<Caller> caller = authenticate(request);
        if (caller.isEmpty()) {
            long wait = rateLimiter.secondsToWaitAnonymous(clientAddress(request));
            if (wait > 0) {
                throw problems.rateLimited("this client address, sending no valid API key,", "-", wait);
            }
            if (gate == Gate.PUBLIC) {
                return Optional.empty();
            }
            throw problems.unauthenticated(request.getHeader("Authorization") == null
                    ? "send an API key as 'Authorization: Bearer <secret>'"
                    : "the API key is not valid");
        }
        Caller c = caller.get();
        RequiredAccess admin = new RequiredAccess(Scope.ADMIN, null);
        if (gate == Gate.ADMIN && !c.allows(admin)) {
            throw problems.forbidden(c, admin, request.method() + " " + request.path());
        }
        long wait = rateLimiter.secondsToWait(c.name());
        if (wait > 0) {
            throw problems.rateLimited("the key '" + c.name() + "'", c.name(), wait);
        }
        return caller;
    }

    private Optional<Caller> authenticate(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        return keys.authenticate(header.substring(BEARER.length()).trim());
    }

    private static String clientAddress(HttpServerRequest request) {
        return request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    }

    private static boolean hasBody(HttpServerRequest request) {
        return request.headers().contains("Content-Length") || request.headers().contains("Transfer-Encoding");
    }
}
