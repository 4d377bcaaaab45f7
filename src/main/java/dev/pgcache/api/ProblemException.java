package dev.pgcache.api;

import java.util.Map;

/** Ends a request with a problem response; thrown by the API layer when it refuses a request. */
public class ProblemException extends RuntimeException {

    private final Problem problem;
    private final Map<String, String> headers;

    public ProblemException(int status, String slug, String title, String detail) {
        this(Problem.of(status, slug, title, detail), Map.of());
    }

    public ProblemException(Problem problem, Map<String, String> headers) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
        this.headers = headers;
    }

    public Problem problem() {
        return problem;
    }

    public Map<String, String> headers() {
        return headers;
    }

    static ProblemException badRequest(String slug, String detail) {
        return new ProblemException(400, slug, "Bad request", detail);
    }

    static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "payload-too-large", "Request body too large", detail);
    }
}
