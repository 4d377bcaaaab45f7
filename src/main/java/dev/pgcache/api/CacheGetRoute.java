package dev.pgcache.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.pgcache.protocol.Problem;
import dev.pgcache.protocol.ProblemException;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.StoreUnavailableException;
import dev.pgcache.load.ReadThrough;
import dev.pgcache.security.Caller;
import dev.pgcache.security.RequiredAccess;
import dev.pgcache.security.Scope;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves the most frequent request, a plain {@code GET /v1/cache/{namespace}/{key}}, on Vert.x
 * directly: the JAX-RS layer (routing, content negotiation, response writers) took about a fifth
 * of the service's CPU per GET (docs/benchmarks.md). It answers exactly as {@link EntryResource#get}
 * does, through the same {@link KeyReads}, and leaves everything else to it: a query string, a
 * namespace with read-through, an Accept other than JSON or anything, a request body, a path or
 * header it would refuse, a caller without the read scope on the namespace. The front door
 * ({@link FrontDoor}) ran before: the path is canonical and the key valid.
 */
@ApplicationScoped
class CacheGetRoute {

    private static final Logger LOG = Logger.getLogger(CacheGetRoute.class);
    private static final String PREFIX = "/v1/cache/";
    static final String PATH = PREFIX + ":namespace/:key"; // Micrometer tags it as /v1/cache/{namespace}/{key}, as JAX-RS does

    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
    private static final CharSequence[] HEADER_NAMES = Arrays.stream(CachingHeaders.Name.values())
            .map(n -> HttpHeaders.createOptimized(n.text)).toArray(CharSequence[]::new);

    private final CachePaths paths;
    private final ReadThrough readThrough;
    private final KeyReads keyReads;
    private final AccessProblems accessProblems;
    // a virtual thread per read, as @RunOnVirtualThread gives the JAX-RS method (measured in docs/benchmarks.md)
    private final ExecutorService readers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pgcache-get-", 0).factory());

    CacheGetRoute(CachePaths paths, ReadThrough readThrough, KeyReads keyReads, AccessProblems accessProblems) {
        this.accessProblems = accessProblems;
        this.paths = paths;
        this.readThrough = readThrough;
        this.keyReads = keyReads;
    }

    void install(@Observes Router router) {
        router.get(PATH).order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(this::handle);
    }

    @PreDestroy
    void stop() {
        readers.shutdown();
    }

    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        EntryId id = request.query() == null && plainHeaders(request.headers()) ? idOf(request.path()) : null;
        EntityTags notMatching = null;
        if (id != null) {
            try {
                notMatching = EntityTags.parse(request.getHeader(HttpHeaders.IF_NONE_MATCH), "If-None-Match");
            } catch (RuntimeException e) {
                id = null; // EntryResource answers with the problem
            }
        }
        Caller caller = ctx.get(Caller.CONTEXT_KEY);
        if (id == null || readThrough.serves(id.namespace()) || caller == null
                || !caller.allows(new RequiredAccess(Scope.READ, id.namespace()))) {
            ctx.next(); // EntryResource.get answers, refusals included (EndpointAccess)
            return;
        }
        accessProblems.allowed(caller);
        EntryId key = id;
        EntityTags tags = notMatching;
        KeyReads.Found inMemory = keyReads.readFromMemory(key, tags, request.getHeader(HttpHeaders.CACHE_CONTROL));
        if (inMemory != null) {
            write(ctx.response(), inMemory); // a copy in memory needs no thread of its own: answered on the event loop
            return;
        }
        try {
            readers.execute(() -> answer(ctx, key, tags));
        } catch (RejectedExecutionException e) { // shutting down
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, ProblemMappers.RETRY_AFTER_SECONDS);
            ProblemResponses.send(ctx, Problem.of(503, "shutting-down", "Service unavailable",
                    "this replica is shutting down; retry after " + ProblemMappers.RETRY_AFTER_SECONDS + " s"), false);
        }
    }

    private void answer(RoutingContext ctx, EntryId id, EntityTags notMatching) {
        HttpServerResponse response = ctx.response();
        try {
            write(response, keyReads.read(id, notMatching, null, ctx.request().getHeader(HttpHeaders.CACHE_CONTROL)));
        } catch (ProblemException e) {
            e.headers().forEach(response::putHeader);
            ProblemResponses.send(ctx, e.problem(), false);
        } catch (StoreUnavailableException e) {
            response.putHeader(HttpHeaders.RETRY_AFTER, ProblemMappers.RETRY_AFTER_SECONDS);
            ProblemResponses.send(ctx, ProblemMappers.databaseUnavailable(e), false);
        } catch (RuntimeException e) {
            LOG.error("unexpected error", e);
            ProblemResponses.send(ctx, ProblemMappers.internalError(), false);
        }
    }

    /**
     * The answer of a live entry: the caching headers in their order (names with their hash computed
     * once), then the body as its UTF-8 bytes; the same bytes as {@link EntryResource#get} sends.
     */
    private static void write(HttpServerResponse response, KeyReads.Found found) {
        Entry entry = found.entry();
        CachingHeaders.emit(entry, CachingHeaders.xCache(entry), (name, value) -> response.putHeader(HEADER_NAMES[name.ordinal()], value));
        if (found.notModified()) {
            response.setStatusCode(304).end();
        } else {
            // String.getBytes: the JDK's own fast encoder, wrapped without a copy (Buffer.buffer(String) runs a CharsetEncoder)
            response.putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(Buffer.buffer(entry.json().getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** No body, and an Accept that JSON satisfies without negotiation; anything else goes to JAX-RS. */
    private static boolean plainHeaders(MultiMap headers) {
        if (headers.contains(HttpHeaders.CONTENT_LENGTH) || headers.contains(HttpHeaders.TRANSFER_ENCODING)) {
            return false;
        }
        String accept = headers.get(HttpHeaders.ACCEPT);
        return accept == null || accept.equals("*/*") || accept.equals("application/json");
    }

    /** The id in a raw path of exactly two non-empty segments under /v1/cache/, or null when it is anything else. */
    private EntryId idOf(String rawPath) {
        if (!rawPath.startsWith(PREFIX)) {
            return null;
        }
        int slash = rawPath.indexOf('/', PREFIX.length());
        if (slash <= PREFIX.length() || slash == rawPath.length() - 1 || rawPath.indexOf('/', slash + 1) >= 0) {
            return null;
        }
        try {
            return paths.servedId(rawPath.substring(PREFIX.length(), slash), rawPath.substring(slash + 1));
        } catch (RuntimeException e) {
            return null; // EntryResource answers with the problem
        }
    }
}
