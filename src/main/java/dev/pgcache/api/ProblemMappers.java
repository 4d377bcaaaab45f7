package dev.pgcache.api;

import java.util.Map;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import dev.pgcache.protocol.Problem;
import dev.pgcache.protocol.ProblemException;
import dev.pgcache.entry.StoreException;
import dev.pgcache.entry.StoreUnavailableException;
import dev.pgcache.memory.AnswerTooLargeException;
import dev.pgcache.memory.BudgetSpentException;
import dev.pgcache.memory.MemoryBudget;

/**
 * Turns every exception that leaves a resource into problem+json: the caller's mistakes into
 * 4xx, the database being away into 503 with Retry-After, and anything else into a 500 that
 * says nothing of the internals (the stack trace goes to the log only).
 */
class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    /** Seconds a caller should wait after a 503 before trying again. */
    static final String RETRY_AFTER_SECONDS = "2";

    @ServerExceptionMapper
    Response problem(ProblemException e, UriInfo uri) {
        return ProblemResponses.of(e.problem().at(path(uri)), e.headers());
    }

    @ServerExceptionMapper
    Response unavailable(StoreUnavailableException e, UriInfo uri) {
        return ProblemResponses.of(databaseUnavailable(e).at(path(uri)), Map.of(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS));
    }

    /** The 503 for a database that is away (logged here); send it with Retry-After: {@link #RETRY_AFTER_SECONDS}. */
    static Problem databaseUnavailable(StoreUnavailableException e) {
        LOG.warnf("database unavailable: %s", e.getMessage());
        return Problem.of(503, "database-unavailable", "Service unavailable",
                e.refusal().cause() + "; retry after " + RETRY_AFTER_SECONDS
                        + " s (single writes are atomic, and every operation is safe to repeat)");
    }

    @ServerExceptionMapper
    Response budgetSpent(BudgetSpentException e, UriInfo uri) {
        return ProblemResponses.of(serverBusy(e).at(path(uri)), Map.of(HttpHeaders.RETRY_AFTER, MemoryBudget.RETRY_AFTER_SECONDS));
    }

    /** The 503 for a request that does not fit the memory budget; send it with Retry-After: {@link MemoryBudget#RETRY_AFTER_SECONDS}. */
    static Problem serverBusy(BudgetSpentException e) {
        return Problem.of(503, "server-busy", "Server busy", e.getMessage());
    }

    @ServerExceptionMapper
    Response answerTooLarge(AnswerTooLargeException e, UriInfo uri) {
        return ProblemResponses.of(Problem.of(413, "answer-too-large", "Answer too large", e.getMessage()).at(path(uri)), Map.of());
    }

    @ServerExceptionMapper
    Response storeFailure(StoreException e, UriInfo uri) {
        LOG.error("database error", e);
        return internal(uri);
    }

    @ServerExceptionMapper
    Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
            return internal(uri);
        }
        Map<String, String> headers = Map.of();
        if (e instanceof NotAllowedException) {
            String allow = e.getResponse().getHeaderString(HttpHeaders.ALLOW);
            if (allow == null && uri != null) {
                allow = AllowedMethods.forPath(uri.getRequestUri().getRawPath());
            }
            if (allow != null) {
                headers = Map.of(HttpHeaders.ALLOW, allow);
            }
        }
        String slug = switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            default -> "bad-request";
        };
        String title = Response.Status.fromStatusCode(status) != null
                ? Response.Status.fromStatusCode(status).getReasonPhrase()
                : "Client error";
        String detail = switch (status) {
            case 404 -> "no resource at this path; see /q/openapi for the API";
            case 405 -> "this path does not take that method";
            case 415 -> "this request needs a JSON body (Content-Type: application/json)";
            case 406 -> "this resource answers with application/json (or application/problem+json); accept one of those";
            default -> e.getMessage();
        };
        return ProblemResponses.of(Problem.of(status, slug, title, detail).at(path(uri)), headers);
    }

    @ServerExceptionMapper(priority = 10_000)
    Response unexpected(Throwable e, UriInfo uri) {
        LOG.error("unexpected error", e);
        return internal(uri);
    }

    private static Response internal(UriInfo uri) {
        return ProblemResponses.of(internalError().at(path(uri)), Map.of());
    }

    /** The 500 that says nothing of the internals; the caller logs the cause. */
    static Problem internalError() {
        return Problem.of(500, "internal-error", "Internal server error",
                "pgcache failed to handle this request; the error is in the service log");
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getRequestUri().getRawPath();
    }
}
