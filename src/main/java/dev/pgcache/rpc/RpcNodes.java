package dev.pgcache.rpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import dev.pgcache.config.RetryConfig;
import dev.pgcache.config.RpcHedgeConfig;
import dev.pgcache.load.Source;
import dev.pgcache.load.UpstreamFailure;

/**
 * The nodes of one JSON-RPC upstream, and how a call is sent to them: to the first node of
 * {@link NodeOrder}, and on to the next when it fails (its circuit breaker counts the failure) or,
 * for a read about a block number, answers null while its known head is below that block. A call
 * that is not repeatable (a write) goes to one node only: it moves on only past a node whose circuit
 * is open (that node was not called). Repeatable calls may be hedged: when the first node has not
 * answered after the upstream's latency percentile, the next is asked too and the first good answer
 * wins; the other is left to finish and ignored. A node's "unwell" JSON-RPC error has the nodes not
 * asked yet asked at once ({@link SecondOpinions}): it fails the node only if one of them answers
 * well, else it is the request's answer. A read whose every node failed is asked again in rounds
 * over them ({@link NodeRounds}). When no node gives a good answer: a null answer that was not
 * trusted, else the JSON-RPC error of a node that said it was unwell, else the failure.
 */
final class RpcNodes {

    /** Hedged attempts and head polls run here, so that the caller's thread can wait for the first of several. */
    private static final ExecutorService WORKERS = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pgcache-rpc-node-", 0).factory());
    /** Samples of the upstream's latency needed before its percentile decides the hedge's delay (min-delay until then). */
    static final int HEDGE_MIN_SAMPLES = 20;

    private final String upstream;
    private final List<UpstreamNode> nodes;
    private final int maxLag;
    private final RpcHedgeConfig hedge;
    private final RpcMetrics metrics;
    private final String headMethod;
    private final boolean substrate;
    private final RetryConfig retry;
    private final Duration waitTimeout;
    private final LatencyWindow answered = new LatencyWindow();
    private volatile UpstreamNode own; // the node pgcache's own calls stick to

    /**
     * @param retry       with several nodes, the retries of a read's rounds over them ({@link NodeRounds}); the nodes' own
     *                    guards do not retry then. With one node, that node's guard retries and this is {@link NodeRounds#NO_RETRIES}.
     * @param waitTimeout bound on a call's rounds together
     */
    RpcNodes(String upstream, List<UpstreamNode> nodes, int maxLag, RpcHedgeConfig hedge, boolean substrate, RetryConfig retry,
            Duration waitTimeout, RpcMetrics metrics) {
        this.upstream = upstream;
        this.nodes = List.copyOf(nodes);
        this.retry = retry;
        this.waitTimeout = waitTimeout;
        this.maxLag = maxLag;
        this.hedge = hedge;
        this.metrics = metrics;
        this.substrate = substrate;
        this.headMethod = substrate ? "chain_getHeader" : "eth_blockNumber";
    }

    List<UpstreamNode> nodes() {
        return nodes;
    }

    int maxLag() {
        return maxLag;
    }

    /** A caller's body; {@code need}: the highest block it asks about ({@link BlockNeed}). Answers the node's body. */
    String send(String body, boolean repeatable, long need) {
        Source.Request request = new Source.Request(body, repeatable);
        Tries tries = new Tries();
        NodeRounds rounds = NodeRounds.of(retry, waitTimeout);
        do {
            tries.newRound();
            List<UpstreamNode> order = NodeOrder.of(nodes, need, maxLag, ThreadLocalRandom.current()::nextDouble);
            if (repeatable && hedge.enabled() && order.size() > 1) {
                hedged(order, request, need, tries);
            } else {
                inTurn(order, request, need, true, tries);
            }
        } while (repeatable && tries.worthAnotherRound() && rounds.again());
        if (tries.answer != null) {
            answered.record(tries.answer.nanos());
        }
        return tries.result();
    }

    /**
     * One of pgcache's own calls (the chain tracker's): to the node with the highest head whose
     * circuit is closed, the same one as long as no other is ahead of it (so that the tracker does
     * not see the chain get shorter when it moves between nodes), then on to the others.
     */
    String sendOwn(String body) {
        Tries tries = new Tries();
        NodeRounds rounds = NodeRounds.of(retry, waitTimeout);
        do {
            tries.newRound();
            List<UpstreamNode> order = new ArrayList<>(NodeOrder.of(nodes, BlockNeed.HEAD, maxLag, ThreadLocalRandom.current()::nextDouble));
            UpstreamNode pick = ownNode();
            if (pick != null && order.remove(pick)) {
                order.add(0, pick);
            }
            inTurn(order, Source.Request.repeatable(body), BlockNeed.NONE, false, tries);
        } while (tries.worthAnotherRound() && rounds.again());
        return tries.result();
    }

    private UpstreamNode ownNode() {
        UpstreamNode best = null;
        for (UpstreamNode n : nodes) {
            if (n.usable() && n.head() >= 0 && (best == null || n.head() > best.head())) {
                best = n;
            }
        }
        UpstreamNode current = own;
        if (current != null && current.usable() && best != null && current.head() >= best.head()) {
            return current;
        }
        own = best;
        return best;
    }

    /** Asks every node for its head, all at once, each bounded by its timeout; only with several nodes (one has nothing to compare). */
    void pollHeads() {
        if (nodes.size() < 2) {
            return;
        }
        List<Callable<Void>> polls = new ArrayList<>(nodes.size());
        for (UpstreamNode n : nodes) {
            polls.add(() -> {
                n.pollHead(headMethod, substrate);
                return null;
            });
        }
        try {
            WORKERS.invokeAll(polls);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The highest head the nodes reported; -1 when none did (or the upstream has one node). */
    long bestHead() {
        return NodeOrder.bestHead(nodes);
    }

    private static void inTurn(List<UpstreamNode> order, Source.Request request, long need, boolean counted, Tries tries) {
        SecondOpinions nodes = new SecondOpinions(order, request, need, counted);
        for (UpstreamNode n; (n = nodes.claimNext()) != null;) {
            UpstreamNode.Attempt a = n.attempt(request, need, counted, nodes);
            if (nodes.better() != null) {
                tries.accept(nodes.better()); // asked while this node's unwell error was judged: the call's answer
                return;
            }
            if (tries.accept(a)) {
                return;
            }
            if (!request.repeatable() && a.failure() != null && a.failure().kind() != UpstreamFailure.Kind.CIRCUIT_OPEN) {
                return; // a write the node may have done: never sent to another
            }
        }
    }

    /** At most two attempts in flight: the first, and one more once it is slower than the hedge delay or has failed. */
    private void hedged(List<UpstreamNode> order, Source.Request request, long need, Tries tries) {
        BlockingQueue<UpstreamNode.Attempt> done = new LinkedBlockingQueue<>();
        SecondOpinions nodes = new SecondOpinions(order, request, need, true);
        long delay = hedgeDelayNanos();
        int started = 0;
        int finished = 0;
        boolean hedgedYet = false;
        start(nodes.claimNext(), request, need, nodes, done);
        started++;
        try {
            while (finished < started) {
                UpstreamNode.Attempt a;
                if (!hedgedYet && nodes.anyLeft()) {
                    a = done.poll(delay, TimeUnit.NANOSECONDS);
                    if (a == null) {
                        hedgedYet = true;
                        UpstreamNode hedge = nodes.claimNext();
                        if (hedge != null) { // null: a node's unwell error had the others asked meanwhile
                            metrics.hedge(upstream);
                            start(hedge, request, need, nodes, done);
                            started++;
                        }
                        continue;
                    }
                } else {
                    a = done.take();
                }
                finished++;
                if (nodes.better() != null) {
                    tries.accept(nodes.better());
                    return;
                }
                if (finished < started && a.answered() && NodeAnswers.unwellCode(a.answer()) != null) {
                    // an unwell error no node left to ask did better, while a hedged attempt still runs and may: kept for when it does not
                    tries.unproven = a.answer();
                    continue;
                }
                if (tries.accept(a)) {
                    return; // an attempt still running is left to finish; its answer is ignored
                }
                UpstreamNode next = finished == started ? nodes.claimNext() : null;
                if (next != null) {
                    start(next, request, need, nodes, done);
                    started++;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tries.failure = new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE,
                    "the JSON-RPC upstream '" + upstream + "' was not waited for: interrupted");
        }
    }

    private static void start(UpstreamNode n, Source.Request request, long need, SecondOpinions nodes,
            BlockingQueue<UpstreamNode.Attempt> done) {
        WORKERS.execute(() -> done.add(n.attempt(request, need, true, nodes)));
    }

    private long hedgeDelayNanos() {
        long p = answered.percentile(hedge.percentile(), HEDGE_MIN_SAMPLES);
        return Math.max(hedge.minDelay().toNanos(), p);
    }

    /** The upstream's recent answered calls, p-th percentile in nanoseconds, or -1 before any. */
    long latency(double p) {
        return answered.percentile(p, 1);
    }

    /** What the attempts of one call gave so far, over its rounds. */
    private static final class Tries {
        UpstreamNode.Attempt answer;
        String untrusted;
        /** Every node asked answered it with an unwell error, but a hedged attempt was still running. */
        String unproven;
        UpstreamFailure failure;
        boolean retryableInRound;

        void newRound() {
            retryableInRound = false;
        }

        /** No answer, not even an untrusted null, and a failure of this round that another try may fix. */
        boolean worthAnotherRound() {
            return answer == null && untrusted == null && retryableInRound;
        }

        /** Whether this attempt answers the call. */
        boolean accept(UpstreamNode.Attempt a) {
            if (a.answered()) {
                answer = a;
                return true;
            }
            if (a.untrusted()) {
                if (untrusted == null) {
                    untrusted = a.answer();
                }
            } else {
                retryableInRound |= a.failure().retryable();
                if (failure == null || failure.answer() == null || a.failure().answer() != null) {
                    failure = a.failure(); // the last failure, but an unwell node's own answer is kept over a failure without one
                }
            }
            return false;
        }

        String result() {
            if (answer != null) {
                return answer.answer();
            }
            if (untrusted != null) {
                return untrusted;
            }
            if (unproven != null) {
                return unproven;
            }
            if (failure.answer() != null) {
                return failure.answer();
            }
            throw failure;
        }
    }
}
