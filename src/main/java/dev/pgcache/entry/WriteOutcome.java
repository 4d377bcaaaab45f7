package dev.pgcache.entry;

/** What became of one write: written, or refused by its precondition or by the revision rule. Nothing is written when refused. */
public sealed interface WriteOutcome {

    record Written(WriteResult result) implements WriteOutcome {
    }

    /**
     * The precondition did not hold.
     *
     * @param currentVersion the live entry's version at the time, or null when there was none
     */
    record PreconditionFailed(Long currentVersion) implements WriteOutcome {
    }

    /**
     * The stored live entry holds a higher revision than the write carried.
     *
     * @param storedRevision that revision, or null when a concurrent writer changed the entry again before it could be read
     */
    record RevisionConflict(Long storedRevision) implements WriteOutcome {
    }
}
