package dev.pgcache.api;

import java.util.Map;

import jakarta.ws.rs.core.Response;

import io.vertx.ext.web.RoutingContext;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.pgcache.protocol.Problem;

/** Builds problem+json responses; the one place that turns a {@link Problem} into HTTP. */
public final class ProblemResponses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProblemResponses() {
    }

    static Response of(Problem problem, Map<String, String> headers) {
        Response.ResponseBuilder r = Response.status(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(toJson(problem));
        headers.forEach(r::header);
        return r.build();
    }

    /** Ends a request at the HTTP layer, before any resource, with a problem. */
    public static void send(RoutingContext ctx, Problem problem, boolean closeConnection) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(problem.status()).putHeader(io.vertx.core.http.HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (closeConnection) {
            // an unread body would otherwise be taken for the next request on this connection
            ctx.response().putHeader(io.vertx.core.http.HttpHeaders.CONNECTION, "close");
        }
        ctx.response().end(toJson(problem.at(ctx.request().path())));
    }

    static String toJson(Problem problem) {
        try {
            return JSON.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a problem record always serializes", e);
        }
    }
}
