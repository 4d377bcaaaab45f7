package dev.pgcache.rpc;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.pgcache.config.RetryConfig;

/**
 * The retries of a read sent to an upstream of several nodes. There the other nodes are the
 * retry: a read moves to the next node at its node's first failure (the nodes' own guards do not
 * retry), and only when every node of a round has failed, one of them in a way another try may
 * fix (a timeout, a broken connection, a 5xx), is the round asked again, after the upstream's
 * {@code retry.*} backoff: {@code delay}, doubling up to {@code max-delay}, a quarter of
 * {@code delay} of jitter as the single node's retries have, at most {@code max-retries} times
 * and never past {@code wait-timeout} from the first attempt. So the settings keep their meaning:
 * how often and how patiently a failing upstream is asked again.
 */
final class NodeRounds {

    /** The nodes' own guards of an upstream of several: no retries, the rounds retry. */
    static final RetryConfig NO_RETRIES = new RetryConfig() {
        @Override
        public int maxRetries() {
            return 0;
        }

        @Override
        public Duration delay() {
            return Duration.ZERO;
        }

        @Override
        public Duration maxDelay() {
            return Duration.ZERO;
        }
    };

    private final int maxRetries;
    private final long delayNanos;
    private final long maxDelayNanos;
    private final long deadline;
    private int retried;

    private NodeRounds(RetryConfig retry, Duration waitTimeout) {
        this.maxRetries = retry.maxRetries();
        this.delayNanos = retry.delay().toNanos();
        this.maxDelayNanos = Math.max(delayNanos, retry.maxDelay().toNanos());
        this.deadline = System.nanoTime() + waitTimeout.toNanos();
    }

    /** The rounds of one call, starting now. */
    static NodeRounds of(RetryConfig retry, Duration waitTimeout) {
        return new NodeRounds(retry, waitTimeout);
    }

    /**
     * After a round without an answer, one of whose failures another try may fix: waits the
     * backoff and answers true when another round is allowed, false when the retries or the
     * wait-timeout are spent (without waiting) or the wait is interrupted.
     */
    boolean again() {
        if (retried >= maxRetries) {
            return false;
        }
        long wait = delayNanos;
        for (int i = 0; i < retried && wait < maxDelayNanos; i++) {
            wait *= 2;
        }
        wait = Math.min(maxDelayNanos, wait);
        long jitter = delayNanos / 4;
        if (jitter > 0) {
            wait = Math.max(0, wait + ThreadLocalRandom.current().nextLong(-jitter, jitter + 1));
        }
        if (System.nanoTime() + wait >= deadline) {
            return false;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        retried++;
        return true;
    }
}
