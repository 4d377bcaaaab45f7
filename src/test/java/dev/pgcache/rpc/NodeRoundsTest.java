package dev.pgcache.rpc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.pgcache.config.RetryConfig;

/** How many rounds over an upstream's nodes a read may have: max-retries, and never past wait-timeout. */
class NodeRoundsTest {

    private static RetryConfig retry(int maxRetries, Duration delay) {
        return new RetryConfig() {
            @Override
            public int maxRetries() {
                return maxRetries;
            }

            @Override
            public Duration delay() {
                return delay;
            }

            @Override
            public Duration maxDelay() {
                return delay;
            }
        };
    }

    @Test
    void asManyRoundsAgainAsMaxRetries() {
        NodeRounds rounds = NodeRounds.of(retry(2, Duration.ZERO), Duration.ofMinutes(1));
        assertTrue(rounds.again(), "the first retry");
        assertTrue(rounds.again(), "the second");
        assertFalse(rounds.again(), "no third: max-retries=2");
    }

    @Test
    void noRoundsWithoutRetries() {
        assertFalse(NodeRounds.of(NodeRounds.NO_RETRIES, Duration.ofMinutes(1)).again());
        assertFalse(NodeRounds.of(retry(0, Duration.ofMillis(100)), Duration.ofMinutes(1)).again());
    }

    @Test
    void noRoundWhoseBackoffWouldEndPastTheWaitTimeout() {
        // a backoff of an hour (less a quarter of jitter) against a wait-timeout of a minute: refused at once, not waited for
        assertFalse(NodeRounds.of(retry(5, Duration.ofHours(1)), Duration.ofMinutes(1)).again());
    }
}
