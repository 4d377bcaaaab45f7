package dev.pgcache.protocol;

import java.util.Map;

/**
 * The one error type for what the caller got wrong or cannot have now: every problem+json answer is
 * made from one of these, whichever layer refused the request (a bad key in the store's rules, a
 * bad value in the JSON checks, a refusal at the HTTP layer). Carries no stack trace: it is an
 * answer, not a bug.
 */
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

    /** The short name of the problem's type, e.g. {@code invalid-key} (the type is urn:pgcache:problem:invalid-key). */
    public String slug() {
        return problem.slug();
    }

    /** The same problem with {@code where} before its detail, e.g. "entries[3]: " for an item of a batch. */
    public ProblemException at(String where) {
        return new ProblemException(new Problem(problem.type(), problem.title(), problem.status(), where + problem.detail(),
                problem.instance()), headers);
    }

    public static ProblemException badRequest(String slug, String detail) {
        return new ProblemException(400, slug, "Bad request", detail);
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, "payload-too-large", "Request body too large", detail);
    }
}
