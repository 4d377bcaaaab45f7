package dev.pgcache.config;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;

/**
 * A scheduled job's {@code enabled} setting as the scheduler's skip predicate: every run is skipped
 * while it is false. A job names its setting in a small {@code @Singleton} subclass and points
 * {@code @Scheduled(skipExecutionIf = …)} at it; the setting is read once, at start.
 */
public abstract class SwitchedOff implements Scheduled.SkipPredicate {

    private final boolean enabled;

    protected SwitchedOff(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public final boolean test(ScheduledExecution execution) {
        return !enabled;
    }
}
