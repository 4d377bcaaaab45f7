package dev.pgcache.entry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** The coalescer alone, with statements that are plain functions: batching, limits, failure isolation. */
class StatementCoalescerTest {

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger mostRunning = new AtomicInteger();
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();

    private final AtomicInteger inStatements = new AtomicInteger();
    /** Statements wait here until the test opens it; open unless a test closes it. */
    private CountDownLatch gate = new CountDownLatch(0);

    /** A statement that doubles each number once the gate is open, and records how many run at once. */
    private List<Integer> doubled(List<Integer> requests) {
        mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        inStatements.addAndGet(requests.size());
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the gate was never opened");
            }
            batchSizes.add(requests.size());
            return requests.stream().map(i -> 2 * i).toList();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            running.decrementAndGet();
        }
    }

    private Integer doubledAlone(Integer request) {
        return doubled(List.of(request)).get(0);
    }

    private static List<Integer> submitAll(StatementCoalescer<Integer, Integer> coalescer, int n) throws Exception {
        return submitAll(coalescer, n, () -> { });
    }

    /** Submits n requests at once; {@code whileWaiting} runs once all are submitted, before the answers are awaited. */
    private static List<Integer> submitAll(StatementCoalescer<Integer, Integer> coalescer, int n, ThrowingRunnable whileWaiting)
            throws Exception {
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int request = i;
                answers.add(threads.submit(() -> {
                    start.await();
                    return coalescer.submit(request);
                }));
            }
            start.countDown();
            whileWaiting.run();
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> f : answers) {
                results.add(f.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void concurrentRequestsShareStatementsAndEachGetsItsOwnAnswer() throws Exception {
        gate = new CountDownLatch(1);
        StatementCoalescer<Integer, Integer> coalescer = new StatementCoalescer<>("test", 2, 16, this::doubled, this::doubledAlone, size -> { });
        // the first statements hold until every request is either in one of them or queued behind them
        List<Integer> answers = submitAll(coalescer, 200, () -> {
            await().atMost(Duration.ofSeconds(30)).until(() -> coalescer.queued() + inStatements.get() == 200);
            gate.countDown();
        });
        for (int i = 0; i < 200; i++) {
            assertEquals(2 * i, answers.get(i));
        }
        assertEquals(200, batchSizes.stream().mapToInt(Integer::intValue).sum(), "every request answered exactly once");
        assertTrue(batchSizes.size() < 100, "200 requests took " + batchSizes.size() + " statements");
        assertTrue(batchSizes.stream().allMatch(s -> s <= 16), "a statement over the limit: " + batchSizes);
        assertTrue(mostRunning.get() <= 2, mostRunning.get() + " statements ran at once");
    }

    @Test
    void aLoneRequestIsSentAtOnceOnItsOwn() {
        StatementCoalescer<Integer, Integer> coalescer = new StatementCoalescer<>("test", 2, 16, this::doubled, this::doubledAlone, size -> { });
        for (int i = 0; i < 5; i++) {
            assertEquals(2 * i, coalescer.submit(i));
        }
        assertEquals(List.of(1, 1, 1, 1, 1), batchSizes);
    }

    @Test
    void aFailedSharedStatementIsRetriedOneByOneSoOnlyTheBadRequestFails() throws Exception {
        IllegalArgumentException bad = new IllegalArgumentException("13 is refused");
        StatementCoalescer<Integer, Integer> coalescer = new StatementCoalescer<>("test", 1, 64,
                requests -> {
                    if (requests.contains(13)) {
                        throw new IllegalStateException("the shared statement fails");
                    }
                    return doubled(requests);
                },
                request -> {
                    if (request == 13) {
                        throw bad;
                    }
                    return 2 * request;
                }, size -> { });
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int request = i;
                answers.add(threads.submit(() -> {
                    start.await();
                    return coalescer.submit(request);
                }));
            }
            start.countDown();
            for (int i = 0; i < 50; i++) {
                if (i == 13) {
                    int index = i;
                    ExecutionException e = assertThrows(ExecutionException.class, () -> answers.get(index).get(30, TimeUnit.SECONDS));
                    assertSame(bad, e.getCause());
                } else {
                    assertEquals(2 * i, answers.get(i).get(30, TimeUnit.SECONDS));
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void theDatabaseBeingAwayFailsTheWholeBatchWithoutRetries() throws Exception {
        AtomicInteger alone = new AtomicInteger();
        StoreUnavailableException away = new StoreUnavailableException("no connection", null);
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        StatementCoalescer<Integer, Integer> coalescer = new StatementCoalescer<>("test", 1, 64,
                requests -> {
                    throw away;
                },
                request -> {
                    if (request == -1) { // the first request holds the only permit until the others have queued
                        firstRunning.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return 0;
                    }
                    alone.incrementAndGet();
                    throw away;
                }, size -> { });
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<Integer> first = threads.submit(() -> coalescer.submit(-1));
            assertTrue(firstRunning.await(10, TimeUnit.SECONDS));
            List<Future<Integer>> queued = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int request = i;
                queued.add(threads.submit(() -> coalescer.submit(request)));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> coalescer.queued() == 10);
            release.countDown();
            assertEquals(0, first.get(10, TimeUnit.SECONDS));
            for (Future<Integer> f : queued) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
                assertSame(away, e.getCause());
            }
            assertEquals(0, alone.get(), "nothing retried one by one while the database is away");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void noRequestIsLeftBehindUnderRepeatedBursts() throws Exception {
        StatementCoalescer<Integer, Integer> coalescer = new StatementCoalescer<>("test", 2, 4, this::doubledQuickly,
                request -> 2 * request, size -> { });
        for (int round = 0; round < 20; round++) {
            List<Integer> answers = submitAll(coalescer, 37);
            for (int i = 0; i < 37; i++) {
                assertEquals(2 * i, answers.get(i));
            }
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private List<Integer> doubledQuickly(List<Integer> requests) {
        return requests.stream().map(i -> 2 * i).toList();
    }
}
