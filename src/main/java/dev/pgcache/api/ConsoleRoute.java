package dev.pgcache.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.pgcache.protocol.Problem;
import dev.pgcache.security.AccessPolicy;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The console ({@code /console}): a page, its script and styles and the charting library, served
 * to anyone (the front door's gate for {@code /console/**} is public, {@link AccessPolicy}) from a
 * fixed list of files read once at start. Nothing else is reachable under {@code /console}: no
 * directory, no file outside the list, no other method. The page holds no data; every figure it
 * shows comes from a {@code /v1} call sent with the user's own key, so the page's being public
 * opens nothing.
 *
 * <p>The files are kept outside {@code META-INF/resources} on purpose, so Quarkus' static handler
 * does not serve them (or anything next to them) under rules of its own. The charting library
 * (uPlot) comes from its webjar on the class path, the version read from the webjar's own
 * {@code pom.properties}, so the version pinned in pom.xml is the only place it is named.
 *
 * <p>Every answer carries a Content-Security-Policy that allows scripts, styles and requests from
 * this origin only and no inline script: a value that slipped past the page's escaping still could
 * not run.
 */
@ApplicationScoped
class ConsoleRoute {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private record File(String contentType, Buffer body) {
    }

    /** By the name after /console/ ("" for the page itself). */
    private final Map<String, File> files;

    ConsoleRoute() {
        String uplot = "META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/dist/";
        files = Map.of(
                "", file("console/index.html", "text/html; charset=utf-8"),
                "console.js", file("console/console.js", "text/javascript; charset=utf-8"),
                "console.css", file("console/console.css", "text/css; charset=utf-8"),
                "uplot.js", file(uplot + "uPlot.esm.js", "text/javascript; charset=utf-8"),
                "uplot.css", file(uplot + "uPlot.min.css", "text/css; charset=utf-8"));
    }

    void install(@Observes Router router) {
        router.route("/" + AccessPolicy.CONSOLE).handler(ctx -> serve(ctx, ""));
        router.route("/" + AccessPolicy.CONSOLE + "/:file").handler(ctx -> serve(ctx, ctx.pathParam("file")));
    }

    private void serve(RoutingContext ctx, String name) {
        HttpMethod method = ctx.request().method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            ctx.response().putHeader("Allow", "GET, HEAD");
            ProblemResponses.send(ctx, Problem.of(405, "method-not-allowed", "Method Not Allowed",
                    "the console's files are read with GET or HEAD").at(ctx.request().path()), false);
            return;
        }
        File file = files.get(name);
        if (file == null) {
            ProblemResponses.send(ctx, Problem.of(404, "not-found", "Not Found",
                    "the console has no file '" + name + "'; open /console").at(ctx.request().path()), false);
            return;
        }
        ctx.response()
                .putHeader("Content-Type", file.contentType())
                .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cache-Control", "no-cache");
        if (method.equals(HttpMethod.HEAD)) {
            ctx.response().putHeader("Content-Length", String.valueOf(file.body().length())).end();
        } else {
            ctx.response().end(file.body());
        }
    }

    private static File file(String resource, String contentType) {
        try (InputStream in = resource(resource)) {
            return new File(contentType, Buffer.buffer(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static String webjarVersion(String name) {
        Properties p = new Properties();
        try (InputStream in = resource("META-INF/maven/org.webjars.npm/" + name + "/pom.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the version of the webjar " + name, e);
        }
        return p.getProperty("version");
    }

    private static InputStream resource(String name) {
        InputStream in = ConsoleRoute.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("the console's file " + name + " is missing from the class path");
        }
        return in;
    }
}
