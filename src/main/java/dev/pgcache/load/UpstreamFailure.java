package dev.pgcache.load;

import java.time.Duration;

/**
 * An upstream did not give a usable answer. Its message names the failure (status, timeout,
 * kind of bad answer) and the namespace, never a header, the URL's path or query, or the
 * upstream's own error text, so it can be shown to callers and logged.
 */
public final class UpstreamFailure extends RuntimeException {

    /** What went wrong, which decides retries, the circuit breaker and the HTTP status callers get. */
    public enum Kind {
        /** No answer within the timeout: 504. */
        TIMEOUT(true, true),
        /** Connection refused, reset or broken: 502. */
        UNREACHABLE(true, true),
        /** A 5xx answer worth another try (500, 502, 503, 504): 502. */
        SERVER_ERROR(true, true),
        /** Any other status the upstream should not have given (4xx but 404, 3xx, 5xx not retried): 502. */
        BAD_STATUS(false, false),
        /** Not JSON, not one valid JSON value, or larger than pgcache.limits.max-value-size: 502. */
        BAD_ANSWER(false, true),
        /** The circuit breaker is open: the upstream was not called. 502 with Retry-After. */
        CIRCUIT_OPEN(false, false),
        /**
         * An answer that says the upstream is unwell rather than the request bad (a JSON-RPC node's
         * internal error or rate limit, HTTP 429): counted against the circuit, not retried on the
         * same upstream (another node may be asked). 502.
         */
        UNWELL_ANSWER(false, true);

        final boolean retryable;
        final boolean countsAgainstCircuit;

        Kind(boolean retryable, boolean countsAgainstCircuit) {
            this.retryable = retryable;
            this.countsAgainstCircuit = countsAgainstCircuit;
        }
    }

    private final Kind kind;
    private final Duration retryAfter;
    private final boolean retryable;
    private final String answer;

    public UpstreamFailure(Kind kind, String detail) {
        this(kind, detail, null);
    }

    public UpstreamFailure(Kind kind, String detail, Duration retryAfter) {
        this(kind, detail, retryAfter, kind.retryable, null);
    }

    /**
     * An {@link Kind#UNWELL_ANSWER} that keeps the upstream's answer, for a caller that may pass it
     * on as it is when no other upstream does better (the answer goes to callers, never to logs).
     */
    public static UpstreamFailure unwell(String detail, String answer) {
        return new UpstreamFailure(Kind.UNWELL_ANSWER, detail, null, false, answer);
    }

    private UpstreamFailure(Kind kind, String detail, Duration retryAfter, boolean retryable, String answer) {
        super(detail, null, false, false);
        this.kind = kind;
        this.retryAfter = retryAfter;
        this.retryable = retryable;
        this.answer = answer;
    }

    /**
     * The same failure, never retried: for calls that must not be repeated blindly, such as a
     * JSON-RPC batch that sends a transaction (a timeout does not say it was not sent).
     */
    public UpstreamFailure notRetried() {
        return new UpstreamFailure(kind, getMessage(), retryAfter, false, answer);
    }

    /** For an unwell answer kept by {@link #unwell}: the upstream's body; else null. */
    public String answer() {
        return answer;
    }

    public Kind kind() {
        return kind;
    }

    /** For CIRCUIT_OPEN: how long until the upstream is tried again; else null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Whether another attempt may fix it (and the call may be repeated): a timeout, a broken connection, a 5xx worth another try. */
    public boolean retryable() {
        return retryable;
    }

    boolean countsAgainstCircuit() {
        return kind.countsAgainstCircuit;
    }
}
