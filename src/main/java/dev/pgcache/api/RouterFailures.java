package dev.pgcache.api;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.configuration.MemorySize;
import io.netty.handler.codec.DecoderException;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import dev.pgcache.protocol.HttpDate;
import dev.pgcache.protocol.Problem;

/**
 * The router's own 4xx failures as problem+json. Vert.x Web fails a request before any handler when
 * it has no valid Host (HTTP/1.1) or its path does not start with '/', and a body read by the router
 * ({@link TransportLimits}) fails with 413 when it grows over the cap; left alone, Quarkus' error
 * handler answers those with its own JSON (a stack trace in dev and test mode) and the
 * {@code Router#errorHandler}s never run. This failure handler is first, so it answers them; a
 * failure with a 5xx or after the answer began goes on to Quarkus' handler as before.
 */
@ApplicationScoped
class RouterFailures {

    private static final Logger LOG = Logger.getLogger(RouterFailures.class);

    private final long maxBodyBytes;

    RouterFailures(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
    }

    private void failed(RoutingContext ctx) {
        if (ctx.response().ended() && ctx.failure() instanceof HttpClosedException) {
            return; // a body still being read when the refusal closed the connection: nothing is left to answer
        }
        int status = ctx.statusCode();
        if (brokenChunking(ctx)) {
            status = 400; // Vert.x Web passes the decoder's error on with status 200
        }
        // a 405 of the router's own routes needs its Allow header, which Quarkus' handler writes
        if (status < 400 || status > 499 || status == 405 || ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        ctx.response().putHeader(HttpHeaders.DATE, HttpDate.now());
        if (status == 413 || brokenChunking(ctx)) {
            // the rest of a chunked body is not read: the connection cannot carry another request (as Quarkus does)
            ctx.response().endHandler(ended -> ctx.request().connection().close());
        }
        try {
            ProblemResponses.send(ctx, problem(status, ctx.failure()), true);
        } catch (IllegalStateException closed) {
            LOG.debugf("no answer to %s: the connection is closed (%s)", ctx.request().path(), ctx.failure());
        }
    }

    /** A chunked body whose framing the decoder could not read (a chunk size that is not hex, say). */
    private static boolean brokenChunking(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        return (failure instanceof DecoderException || failure instanceof NumberFormatException)
                && ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING);
    }

    private Problem problem(int status, Throwable failure) {
        if (status == 400 && (failure instanceof DecoderException || failure instanceof NumberFormatException)) {
            return Problem.of(400, "bad-request", "Bad request", "the chunked body cannot be read: " + failure.getMessage());
        }
        return switch (status) {
            case 413 -> Problem.of(413, "payload-too-large", "Request body too large", "the request body is larger than "
                    + maxBodyBytes + " bytes, the largest this server reads (quarkus.http.limits.max-body-size)");
            case 404 -> Problem.of(404, "not-found", "Not Found", "no resource at this path; see /q/openapi for the API");
            case 400 -> Problem.of(400, "bad-request", "Bad request", failure instanceof VertxException && failure.getMessage() != null
                    ? failure.getMessage()
                    : "the request could not be read");
            case 417 -> Problem.of(417, "expectation-failed", "Expectation Failed", "the only Expect this server understands is 100-continue");
            default -> Problem.of(status, "bad-request", "Client error", "the request could not be served as sent");
        };
    }
}
