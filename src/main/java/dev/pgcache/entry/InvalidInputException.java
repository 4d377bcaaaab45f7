package dev.pgcache.entry;

/**
 * The caller sent something pgcache will not store: a bad key, namespace, tag, lifetime or
 * value. Nothing was written. The API answers it with a 400 problem.
 */
public class InvalidInputException extends RuntimeException {

    private final String problemType;

    /**
     * @param problemType short stable name of the kind of problem, e.g. {@code invalid-key}
     * @param detail      what is wrong, in words the caller can act on
     */
    public InvalidInputException(String problemType, String detail) {
        super(detail, null, false, false);
        this.problemType = problemType;
    }

    public String problemType() {
        return problemType;
    }
}
