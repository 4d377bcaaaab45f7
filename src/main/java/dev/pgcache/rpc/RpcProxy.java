package dev.pgcache.rpc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import dev.pgcache.config.EnumText;
import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.EntryId;
import dev.pgcache.load.SingleFlight;
import dev.pgcache.memory.MemoryBudget;
import dev.pgcache.protocol.CacheStatus;
import dev.pgcache.protocol.ProblemException;
import dev.pgcache.security.Scope;

/**
 * The JSON-RPC 2.0 caching proxy: one call or a batch in, one answer per request that has an
 * id out, in the order asked.
 *
 * <p>How a body is answered:
 * <ol>
 * <li>Not JSON: -32700 with id null. An empty batch: one -32600. A batch over
 * pgcache.rpc.max-batch-size: 413 problem+json, nothing is called. An item that is not a valid
 * request: -32600 for it alone (with its id when it has a valid one).</li>
 * <li>A method the caller's scopes do not permit ({@link RpcMethodAccess}): -32040 for it alone,
 * and it is neither looked up nor sent; a refused notification is dropped without an answer.</li>
 * <li>Requests the method policy allows to be cached are looked up by their key (method and
 * canonical params, never the id), all of a batch in one round trip, each key once; fresh
 * entries answer ({@link RpcCache}). The read is bounded like a batch-get's: when the
 * values, counted once per request that asks for them, would make an answer over
 * pgcache.rpc.max-answer-size, the body gets a 413 before any value is read.</li>
 * <li>An eth_getLogs over finalized blocks is looked up as its block-range chunks, and answered
 * from them and the node for the rest; one wider than logs.max-range is refused ({@link LogChunks}).</li>
 * <li>The rest go to the node together, as one upstream batch (or one call when there is
 * only one; at most pgcache.rpc.max-batch-size per call), with ids of pgcache's own ({@link RpcUpstreamBatch}). A cache miss identical to one
 * already in flight in this replica joins it instead ({@link SingleFlight}); across replicas the
 * misses take their entries' load locks first and wait for a replica that holds one
 * ({@link RpcReplicaFlights}); each caller gets its own id back.</li>
 * <li>Results the policy allows are stored, the result only (not the envelope), with the block
 * number they depend on as revision; errors and null results never are. A failed call becomes a
 * JSON-RPC error (-32000) for each request it carried, never an HTTP error.</li>
 * <li>The answer's size is counted before it is built ({@link RpcAnswer}): over
 * pgcache.rpc.max-answer-size it is a 413 answer-too-large (what was fetched is still stored, so
 * smaller batches then come from the cache); within it, its bytes are taken from the
 * {@link MemoryBudget} until the response is sent (503 server-busy when it is spent).</li>
 * </ol>
 * Notifications (no id member) are forwarded and get no answer; a body of notifications only
 * gets HTTP 204. A database outage makes the proxy a plain pass-through, not an error. A method
 * that replaces the node's chain (anvil_reset, evm_revert, ...) and was not answered with an error
 * empties the upstream's namespace before its answer goes out ({@link ChainTracker#chainReplaced()}).
 */
@ApplicationScoped
public class RpcProxy {

    private static final Logger LOG = Logger.getLogger(RpcProxy.class);

    /**
     * What to send back: a JSON body, or none (HTTP 204); X-Cache for a single call, null for
     * batches; and the share of the memory budget the body holds, to close once it has been sent.
     */
    public record Reply(String body, CacheStatus xCache, MemoryBudget.Lease lease) {
    }

    private final RpcUpstreams upstreams;
    private final RpcCache cache;
    private final RpcReplicaFlights misses;
    private final RpcMetrics metrics;
    private final LogChunks logChunks;
    private final int maxBatch;
    private final long maxBody;
    private final int maxKeyBytes;
    private final SingleFlight<EntryId, RpcOutcome> flights = new SingleFlight<>();

    RpcProxy(RpcUpstreams upstreams, RpcCache cache, RpcReplicaFlights misses, RpcMetrics metrics, LogChunks logChunks,
            PgcacheConfig config) {
        this.upstreams = upstreams;
        this.logChunks = logChunks;
        this.cache = cache;
        this.misses = misses;
        this.metrics = metrics;
        this.maxBatch = config.rpc().maxBatchSize();
        this.maxBody = config.rpc().maxBodySize().asLongValue();
        this.maxKeyBytes = config.limits().maxKeyBytes();
    }

    /**
     * @param scopes what the caller's API key may do: decides which methods are forwarded (none when empty)
     * @throws ProblemException 404 for an unknown upstream, 413 for a body or batch over the limits
     */
    public Reply handle(String upstream, byte[] body, Set<Scope> scopes) {
        Set<Scope> may = scopes == null ? Set.of() : scopes; // no caller known: no scope, never every scope
        RpcNode node = upstreams.of(upstream).orElseThrow(() -> new ProblemException(404, "unknown-upstream", "Unknown upstream",
                "no JSON-RPC upstream '" + printable(upstream) + "' is configured (pgcache.rpc.upstreams." + printable(upstream) + ".url)"));
        if (body != null && body.length > maxBody) {
            throw new ProblemException(413, "payload-too-large", "Request body too large", "the JSON-RPC body is " + body.length
                    + " bytes; the limit is " + maxBody + " bytes (pgcache.rpc.max-body-size)");
        }
        JsonNode root;
        try {
            root = RpcJson.parse(body == null ? new byte[0] : body);
        } catch (IOException e) {
            return new Reply(RpcEnvelope.error(null, RpcEnvelope.PARSE_ERROR,
                    "Parse error: the body is not one valid JSON value" + reason(e)), null, null);
        }
        if (!root.isArray()) {
            RpcCall call = RpcCall.of(root);
            return reply(answer(node, List.of(call), may), false, call.xCache);
        }
        if (root.isEmpty()) {
            return new Reply(RpcEnvelope.error(null, RpcEnvelope.INVALID_REQUEST, "Invalid Request: the batch is empty"), null, null);
        }
        if (root.size() > maxBatch) {
            throw new ProblemException(413, "rpc-batch-too-large", "Batch too large", "the batch holds " + root.size()
                    + " requests; the limit is " + maxBatch + " (pgcache.rpc.max-batch-size); split it");
        }
        List<RpcCall> calls = new ArrayList<>(root.size());
        root.forEach(item -> calls.add(RpcCall.of(item)));
        return reply(answer(node, calls, may), true, null);
    }

    /** Checks the answer's size against the limit, takes it from the memory budget, and only then builds it. */
    private Reply reply(RpcAnswer answer, boolean batch, CacheStatus xCache) {
        MemoryBudget.Lease lease = answer.lease();
        if (answer.isEmpty()) {
            lease.close();
            return new Reply(null, xCache, null);
        }
        try {
            long bytes = answer.bytes(batch);
            cache.answerLimit().check(batch ? "the results of these " + answer.count() + " requests" : "this result", bytes);
            lease.growTo(bytes, "this answer");
            return new Reply(answer.build(batch), xCache, lease);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** The answers, in request order, of every call that is not a notification. */
    private RpcAnswer answer(RpcNode node, List<RpcCall> calls, Set<Scope> scopes) {
        RpcMethodPolicy policy = node.policy();
        List<RpcCall> keyed = new ArrayList<>();
        for (RpcCall c : calls) {
            if (c.invalid != null) {
                c.answer = RpcEnvelope.error(c.idOrNull(), RpcEnvelope.INVALID_REQUEST, "Invalid Request: " + c.invalid);
                continue;
            }
            // before the cache: a key may not learn from the cache what it may not ask the node
            Optional<RpcMethodAccess.Refusal> refusal = node.access().refusal(c.method, scopes);
            if (refusal.isPresent()) {
                c.refused = true;
                metrics.refused(node.name(), node.access().label(c.method));
                if (!c.notification) {
                    c.answer = RpcEnvelope.refused(c.id, node.name(), c.method, refusal.get());
                }
            } else if (!c.notification && logChunks.take(node, c)) {
                // eth_getLogs over finalized blocks: its chunks are looked up (or it was refused for its width)
                if (c.logParts != null) {
                    c.logParts.calls().stream().filter(p -> p.key != null).forEach(keyed::add);
                }
            } else if (!c.notification && policy.cacheable(c.method, c.params)) {
                c.key = new EntryId(node.namespace(), RpcJson.cacheKey(c.method, c.params, maxKeyBytes));
                keyed.add(c);
            }
        }
        MemoryBudget.Lease lease = cache.lookUp(node, keyed);
        try {
            return fetchAndCollect(node, calls, lease);
        } catch (RuntimeException | Error e) {
            lease.close(); // the budget's share must come back whatever fails, or the budget shrinks for good
            throw e;
        }
    }

    /** Sends what the cache did not answer to the node, and collects every answer in request order. */
    private RpcAnswer fetchAndCollect(RpcNode node, List<RpcCall> calls, MemoryBudget.Lease lease) {
        RpcMethodPolicy policy = node.policy();
        List<RpcUpstreamBatch.Outgoing> outgoing = new ArrayList<>();
        for (RpcCall c : calls) {
            if (c.logParts != null) {
                c.xCache = logChunks.counted(node, c.logParts);
                c.logParts.calls().stream().filter(RpcCall::unanswered).forEach(p -> dispatch(node, p, outgoing));
            } else if (c.unanswered()) {
                dispatch(node, c, outgoing);
            } else {
                continue;
            }
            metrics.request(node.name(), policy.label(c.method), EnumText.of(c.xCache));
        }
        // at most max-batch-size requests per call to the node, as a caller's batch: the chunks of eth_getLogs can make more
        for (int i = 0; i < outgoing.size(); i += maxBatch) {
            misses.send(node, outgoing.subList(i, Math.min(outgoing.size(), i + maxBatch)));
        }
        RpcAnswer answers = new RpcAnswer(lease);
        for (RpcCall c : calls) {
            if (c.notification && c.invalid == null) {
                continue; // forwarded, and JSON-RPC gives it no answer
            }
            if (c.answer != null) {
                answers.add(c.answer);
            } else if (c.hit != null) {
                answers.addResult(c.id, c.hit);
            } else {
                RpcOutcome o = c.logParts != null
                        ? logChunks.join(node, c.logParts, p -> p.hit != null ? new RpcOutcome(null, p.hit, null) : await(node, p))
                        : await(node, c);
                if (o.resultText() != null) {
                    answers.addResult(c.id, o.resultText()); // shared by every identical request of the flight
                } else {
                    answers.add(o.toAnswer(c.id));
                }
            }
        }
        return answers;
    }

    /** Sends a call to the node with the others, or joins an identical one in flight when it may be cached. */
    private void dispatch(RpcNode node, RpcCall c, List<RpcUpstreamBatch.Outgoing> outgoing) {
        if (c.key != null) {
            c.xCache = CacheStatus.MISS;
            SingleFlight.Flight<RpcOutcome> flight = flights.join(c.key, shared -> outgoing.add(new RpcUpstreamBatch.Outgoing(c, shared)));
            c.pending = flight.result();
            if (!flight.started()) {
                metrics.coalesced(node.name());
            }
        } else {
            c.xCache = CacheStatus.BYPASS;
            CompletableFuture<RpcOutcome> own = new CompletableFuture<>();
            outgoing.add(new RpcUpstreamBatch.Outgoing(c, own));
            c.pending = own;
        }
    }

    private static RpcOutcome await(RpcNode node, RpcCall c) {
        try {
            return c.pending.get(node.waitTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            c.pending.cancel(false);
            return RpcOutcome.timedOut(node);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RpcOutcome.failed(node.name(), "interrupted while waiting for the JSON-RPC upstream '" + node.name() + "'");
        } catch (ExecutionException e) {
            LOG.warnf(e.getCause(), "JSON-RPC call to '%s' failed", node.name());
            return RpcOutcome.failed(node.name(), "the call to the JSON-RPC upstream '" + node.name() + "' failed");
        }
    }

    private static String reason(IOException e) {
        if (e instanceof JsonProcessingException j && j.getLocation() != null) {
            return " (at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")";
        }
        return "";
    }

    private static String printable(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
