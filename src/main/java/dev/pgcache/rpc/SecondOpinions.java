package dev.pgcache.rpc;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.pgcache.load.Source;

/**
 * The nodes of one call in the order they are asked, each asked at most once, and what decides
 * whether a node's "I am unwell" error (-32603, -32005: {@link NodeAnswers#UNWELL_CODES}) is the
 * node's fault or the request's. A caller with a read key can send a request every node answers
 * with -32603; counted against each node, a flood of them opened every circuit breaker of the
 * upstream. So before such an answer counts (from inside the node's guarded call, before its
 * circuit records it), the nodes not asked yet are asked in turn: if one answers without such an
 * error, that is the call's answer and the first node's error counts against it; if none does, the
 * error is the request's own, counts against no node, and is the caller's answer.
 */
final class SecondOpinions {

    private final List<UpstreamNode> order;
    private final Source.Request request;
    private final long need;
    private final boolean counted;
    private int next; // guarded by this: hedged attempts claim nodes from two threads
    private final AtomicReference<UpstreamNode.Attempt> better = new AtomicReference<>();

    SecondOpinions(List<UpstreamNode> order, Source.Request request, long need, boolean counted) {
        this.order = order;
        this.request = request;
        this.need = need;
        this.counted = counted;
    }

    /** The next node not asked yet, now taken; null when every node was. */
    synchronized UpstreamNode claimNext() {
        return next < order.size() ? order.get(next++) : null;
    }

    synchronized boolean anyLeft() {
        return next < order.size();
    }

    /** The answer a node gave without an unwell error when asked about another's; null when none did (yet). */
    UpstreamNode.Attempt better() {
        return better.get();
    }

    /** Asks the nodes not asked yet, in turn, until one answers the request without an unwell error; whether one did. */
    boolean othersDoBetter() {
        for (UpstreamNode n; better.get() == null && (n = claimNext()) != null;) {
            UpstreamNode.Attempt a = n.attempt(request, need, counted, this);
            if (a.answered() && NodeAnswers.unwellCode(a.answer()) == null) {
                better.compareAndSet(null, a);
            }
        }
        return better.get() != null;
    }
}
