package dev.pgcache.rpc;

import java.io.IOException;
import java.math.BigInteger;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.JsonNode;

import io.smallrye.faulttolerance.api.CircuitBreakerState;

import dev.pgcache.config.EnumText;
import dev.pgcache.load.Fetched;
import dev.pgcache.load.GuardedSource;
import dev.pgcache.load.Source;
import dev.pgcache.load.UpstreamFailure;

/**
 * One node of a JSON-RPC upstream: its id (from config), role and weight, the guarded source that
 * calls it (its own retries and circuit breaker), the head it last reported to the per-node poll,
 * and what it has done (calls, errors, latencies) for metrics and the status.
 */
final class UpstreamNode {

    enum Role {
        PRIMARY, FALLBACK
    }

    /** One call to this node: its answer, or its failure; untrusted: a null result about a block above the node's known head. */
    record Attempt(UpstreamNode node, String answer, UpstreamFailure failure, boolean untrusted, long nanos) {
        boolean answered() {
            return failure == null && !untrusted;
        }
    }

    static final int CLOSED = 0;
    static final int HALF_OPEN = 1;
    static final int OPEN = 2;

    private final String upstream;
    private final String id;
    private final Role role;
    private final int weight;
    private final String origin;
    private GuardedSource source; // set once, right after construction: the source's circuit reports to this node
    private final RpcMetrics metrics;
    private final AtomicInteger breaker = new AtomicInteger(CLOSED);
    private final LongAdder calls = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LatencyWindow latency = new LatencyWindow();
    private volatile long head = -1;

    UpstreamNode(String upstream, String id, Role role, int weight, String origin, RpcMetrics metrics) {
        this.upstream = upstream;
        this.id = id;
        this.role = role;
        this.weight = weight;
        this.origin = origin;
        this.metrics = metrics;
        metrics.nodeGauges(upstream, id, () -> head, breaker::get);
    }

    void source(GuardedSource guarded) {
        this.source = guarded;
    }

    /** Told by the node's circuit breaker of every change of its state. */
    void circuit(CircuitBreakerState state) {
        breaker.set(switch (state) {
            case CLOSED -> CLOSED;
            case HALF_OPEN -> HALF_OPEN;
            case OPEN -> OPEN;
        });
    }

    /**
     * Sends a body to this node. {@code need} is the highest block the body asks about
     * ({@link BlockNeed}); a null result from a node whose known head is below it is marked untrusted.
     * {@code counted}: a caller's call (metrics, status, latencies); pgcache's own calls are not.
     * {@code others}: the call's other nodes, asked when this one answers an unwell error, to tell
     * whether the error is this node's fault ({@link SecondOpinions}).
     */
    Attempt attempt(Source.Request request, long need, boolean counted, SecondOpinions others) {
        long start = System.nanoTime();
        String outcome = "ok";
        try {
            String answer = ((Fetched.Value) source.fetch(request.comparedWith(others::othersDoBetter))).json();
            long known = head;
            boolean untrusted = request.repeatable() && BlockNeed.isNumber(need) && known >= 0 && need > known
                    && NodeAnswers.hasNullResult(answer);
            if (untrusted) {
                outcome = "untrusted_null";
            }
            long nanos = System.nanoTime() - start;
            if (counted && !untrusted) {
                latency.record(nanos);
            }
            return new Attempt(this, answer, null, untrusted, nanos);
        } catch (UpstreamFailure f) {
            outcome = EnumText.of(f.kind());
            return new Attempt(this, null, f, false, System.nanoTime() - start);
        } finally {
            if (counted) {
                calls.increment();
                if (!outcome.equals("ok")) {
                    errors.increment();
                }
                metrics.nodeCall(upstream, id, outcome, System.nanoTime() - start);
            }
        }
    }

    /**
     * Asks the node for its head with one cheap call of pgcache's own (id "pgcache-head"), as a
     * probe of its circuit breaker: a failure counts against the node (a dead node's circuit opens
     * from the polls alone), an answer does not count for it, since a node can answer its head and
     * fail every real call. Keeps the last head it reported when it fails.
     */
    void pollHead(String method, boolean substrate) {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":\"" + RpcConnection.OWN_ID + "\",\"method\":\"" + method + "\",\"params\":[]}";
        try {
            JsonNode result = RpcJson.parse(((Fetched.Value) source.probe(Source.Request.repeatable(body))).json()).path("result");
            BigInteger n = BlockParams.number(substrate ? result.path("number") : result);
            if (n != null) {
                reported(n.longValue());
            }
        } catch (UpstreamFailure | IOException e) {
            // the breaker counted it; the head stays as last seen, and falls behind the others' if this lasts
        }
    }

    /** The head the node reported (to the poll). */
    void reported(long number) {
        head = number;
    }

    String id() {
        return id;
    }

    Role role() {
        return role;
    }

    int weight() {
        return weight;
    }

    String origin() {
        return origin;
    }

    /** The head as last reported to the per-node poll; -1 until it answered one. */
    long head() {
        return head;
    }

    /** Whether its circuit lets calls through (closed, or half-open for a trial call). */
    boolean usable() {
        return breaker.get() != OPEN;
    }

    int breakerState() {
        return breaker.get();
    }

    long calls() {
        return calls.sum();
    }

    long errors() {
        return errors.sum();
    }

    /** The p-th percentile of this node's recent successful calls in nanoseconds; -1 before any. */
    long latency(double p) {
        return latency.percentile(p, 1);
    }
}
