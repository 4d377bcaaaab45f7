package dev.pgcache.memory;

import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;

import dev.pgcache.config.PgcacheConfig;

/**
 * The largest answer an endpoint builds, with the setting that says so and what a caller over it
 * can do instead. Checked before the answer is built, so an answer over it never takes memory.
 *
 * @param bytes    the largest answer, in bytes
 * @param property the setting, named in the 413
 * @param advice   what the caller can do, e.g. "ask for fewer keys at a time"
 */
public record AnswerLimit(long bytes, String property, String advice) {

    /**
     * The limit a setting gives, or, when it is not set, the memory budget's size: the largest
     * answer that could be built at all.
     */
    public static AnswerLimit of(Optional<MemorySize> configured, PgcacheConfig config, String property, String advice) {
        return new AnswerLimit(configured.orElse(config.limits().maxInFlightBodySize()).asLongValue(), property, advice);
    }

    /**
     * @param what        what the answer would hold, e.g. "the values of these 100 keys"
     * @param answerBytes how large the answer would be
     * @throws AnswerTooLargeException when it is over the limit
     */
    public void check(String what, long answerBytes) {
        if (answerBytes > bytes) {
            throw new AnswerTooLargeException(what, answerBytes, this);
        }
    }
}
