package dev.pgcache.memory;

/**
 * An answer would be larger than its {@link AnswerLimit}, found out before it was built (and, for
 * stored values, before they were read): the request is answered with a 413 answer-too-large
 * problem that says how large the answer would be and which setting limits it.
 */
public class AnswerTooLargeException extends RuntimeException {

    private final long bytes;
    private final AnswerLimit limit;

    public AnswerTooLargeException(String what, long bytes, AnswerLimit limit) {
        super("the answer with " + what + " would be " + bytes + " bytes; the largest answer is " + limit.bytes() + " bytes ("
                + limit.property() + "); " + limit.advice(), null, false, false);
        this.bytes = bytes;
        this.limit = limit;
    }

    /** How large the answer would be. */
    public long bytes() {
        return bytes;
    }

    public AnswerLimit limit() {
        return limit;
    }
}
