package dev.pgcache.api;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Checks the request path as the caller sent it, before the HTTP layer normalizes it. Without
 * this, RFC 3986 dot-segment removal turns {@code DELETE /v1/cache/ns/%2E} (a key ".") or
 * {@code DELETE /v1/cache/ns/} (an empty key) into {@code DELETE /v1/cache/ns}, which
 * invalidates the whole namespace. Such keys cannot be addressed in a URL path, so they are
 * refused here. The broken-escape check is a second line: today Vert.x's decoder refuses a
 * malformed escape such as {@code %zz} first, with an empty-bodied 400 (see docs/security.md).
 */
@ApplicationScoped
class RawPathGuard {

    private static final String API = "/v1/";
    private static final String CACHE = "/v1/cache/";

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::check);
        router.errorHandler(400, ctx -> {
            if (!ctx.response().ended()) {
                ProblemResponses.send(ctx, Problem.of(400, "bad-request", "Bad request",
                        "the request could not be read (malformed URL or headers)"), true);
            }
        });
    }

    private void check(RoutingContext ctx) {
        String uri = ctx.request().uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (!path.startsWith(API)) {
            ctx.next();
            return;
        }
        String problem = problemWith(path);
        if (problem != null) {
            ProblemResponses.send(ctx, Problem.of(400, path.startsWith(CACHE) ? "invalid-key" : "bad-request", "Bad request", problem), false);
            return;
        }
        ctx.next();
    }

    /** What is wrong with a raw /v1/ path, or null. */
    static String problemWith(String path) {
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '%' && (i + 2 >= path.length() || Character.digit(path.charAt(i + 1), 16) < 0
                    || Character.digit(path.charAt(i + 2), 16) < 0)) {
                return "the path has a broken percent-escape at character " + (i + 1) + "; encode '%' in keys as %25";
            }
        }
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i].toLowerCase(Locale.ROOT).replace("%2e", ".");
            if (s.equals(".") || s.equals("..")) {
                return "a path segment is '" + s + "': '.' and '..' cannot be used as a key or a namespace in a URL path"
                        + " (RFC 3986 removes dot segments)";
            }
            if (s.isEmpty() && path.startsWith(CACHE)) {
                return i == segments.length - 1
                        ? "the path ends with '/': a key or namespace is empty (to act on a whole namespace, leave out the trailing '/')"
                        : "the path has an empty segment ('//'); encode '/' in keys as %2F";
            }
        }
        return null;
    }
}
