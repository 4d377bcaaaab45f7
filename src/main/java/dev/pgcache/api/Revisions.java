package dev.pgcache.api;

import dev.pgcache.protocol.ProblemException;

/** Revisions as callers send them, in X-Revision and ?min-revision=: a whole number from 0 up, else 400 invalid-revision. */
final class Revisions {

    private Revisions() {
    }

    /** The X-Revision header of a write; null when absent. */
    static Long ofHeader(String header) {
        return header == null ? null : parse(header, CachingHeaders.X_REVISION);
    }

    /** The ?min-revision= of a read; null when absent. */
    static Long ofMinimum(String text) {
        return text == null ? null : parse(text, "min-revision");
    }

    private static long parse(String text, String name) {
        try {
            long rev = Long.parseLong(text.trim());
            if (rev >= 0) {
                return rev;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ProblemException.badRequest("invalid-revision", name + " must be a whole number from 0 to " + Long.MAX_VALUE);
    }
}
