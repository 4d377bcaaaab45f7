package dev.pgcache.rpc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pgcache.protocol.CacheStatus;
import dev.pgcache.protocol.ProblemException;
import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.BoundedReads;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.EntryStore;
import dev.pgcache.entry.Freshness;
import dev.pgcache.entry.StoreUnavailableException;
import dev.pgcache.protocol.StoredJson;
import dev.pgcache.protocol.Utf8;
import dev.pgcache.entry.WriteRequest;
import dev.pgcache.hits.HitTracker;
import dev.pgcache.load.SingleFlight;
import dev.pgcache.load.UpstreamFailure;
import dev.pgcache.security.Scope;
import dev.pgcache.memory.AnswerLimit;
import dev.pgcache.memory.MemoryBudget;

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
 * entries answer. The read is bounded like a batch-get's ({@link BoundedReads}): when the
 * values, counted once per request that asks for them, would make an answer over
 * pgcache.rpc.max-answer-size, the body gets a 413 before any value is read.</li>
 * <li>The rest go to the node together, as one upstream batch (or one call when there is
 * only one), with ids of pgcache's own. A cache miss identical to one already in flight in this
 * replica joins it instead ({@link SingleFlight}); each caller gets its own id back.</li>
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

    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    /** Implementation-defined server error: the upstream failed, timed out or answered nonsense. */
    static final int UPSTREAM_ERROR = -32000;
    /**
     * Implementation-defined server error: the caller may not send this method (its scope, or the
     * upstream's configuration). Outside EIP-1474's -32000..-32006, so no client reads it as one of those.
     */
    static final int METHOD_NOT_PERMITTED = -32040;

    /**
     * What to send back: a JSON body, or none (HTTP 204); X-Cache for a single call, null for
     * batches; and the share of the memory budget the body holds, to close once it has been sent.
     */
    public record Reply(String body, CacheStatus xCache, MemoryBudget.Lease lease) {
    }

    private final RpcUpstreams upstreams;
    private final EntryStore store;
    private final HitTracker hits;
    private final RpcMetrics metrics;
    private final int maxBatch;
    private final long maxBody;
    private final int maxKeyBytes;
    private final long maxValueBytes;
    private final SingleFlight<EntryId, Outcome> flights = new SingleFlight<>();
    private final AnswerLimit answerLimit;

    // answers are bounded before they are built (docs/security.md); field-injected to leave the constructor alone
    @Inject
    BoundedReads boundedReads;

    @Inject
    MemoryBudget budget;

    RpcProxy(RpcUpstreams upstreams, EntryStore store, HitTracker hits, RpcMetrics metrics, PgcacheConfig config) {
        this.upstreams = upstreams;
        this.store = store;
        this.hits = hits;
        this.metrics = metrics;
        this.maxBatch = config.rpc().maxBatchSize();
        this.maxBody = config.rpc().maxBodySize().asLongValue();
        this.maxKeyBytes = config.limits().maxKeyBytes();
        this.maxValueBytes = config.limits().maxValueSize().asLongValue();
        this.answerLimit = AnswerLimit.of(config.rpc().maxAnswerSize(), config, "pgcache.rpc.max-answer-size",
                "split the batch, or ask for fewer large results at a time");
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
            return new Reply(error(null, PARSE_ERROR, "Parse error: the body is not one valid JSON value" + reason(e)), null, null);
        }
        if (!root.isArray()) {
            Call call = Call.of(root);
            return reply(answer(node, List.of(call), may), false, call.xCache);
        }
        if (root.isEmpty()) {
            return new Reply(error(null, INVALID_REQUEST, "Invalid Request: the batch is empty"), null, null);
        }
        if (root.size() > maxBatch) {
            throw new ProblemException(413, "rpc-batch-too-large", "Batch too large", "the batch holds " + root.size()
                    + " requests; the limit is " + maxBatch + " (pgcache.rpc.max-batch-size); split it");
        }
        List<Call> calls = new ArrayList<>(root.size());
        root.forEach(item -> calls.add(Call.of(item)));
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
            answerLimit.check(batch ? "the results of these " + answer.count() + " requests" : "this result", bytes);
            lease.growTo(bytes, "this answer");
            return new Reply(answer.build(batch), xCache, lease);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** The answers, in request order, of every call that is not a notification. */
    private RpcAnswer answer(RpcNode node, List<Call> calls, Set<Scope> scopes) {
        RpcMethodPolicy policy = node.policy();
        List<Call> keyed = new ArrayList<>();
        for (Call c : calls) {
            if (c.invalid != null) {
                c.answer = error(c.idOrNull(), INVALID_REQUEST, "Invalid Request: " + c.invalid);
                continue;
            }
            // before the cache: a key may not learn from the cache what it may not ask the node
            Optional<RpcMethodAccess.Refusal> refusal = node.access().refusal(c.method, scopes);
            if (refusal.isPresent()) {
                c.refused = true;
                metrics.refused(node.name(), node.access().label(c.method));
                if (!c.notification) {
                    c.answer = refused(c.id, node.name(), c.method, refusal.get());
                }
            } else if (!c.notification && policy.cacheable(c.method, c.params)) {
                c.key = new EntryId(node.namespace(), RpcJson.cacheKey(c.method, c.params, maxKeyBytes));
                keyed.add(c);
            }
        }
        MemoryBudget.Lease lease = lookUp(node, keyed);
        try {
            return fetchAndCollect(node, calls, lease);
        } catch (RuntimeException | Error e) {
            lease.close(); // the budget's share must come back whatever fails, or the budget shrinks for good
            throw e;
        }
    }

    /** Sends what the cache did not answer to the node, and collects every answer in request order. */
    private RpcAnswer fetchAndCollect(RpcNode node, List<Call> calls, MemoryBudget.Lease lease) {
        RpcMethodPolicy policy = node.policy();
        List<Outgoing> outgoing = new ArrayList<>();
        for (Call c : calls) {
            if (c.invalid != null || c.refused || c.answer != null || c.hit != null) {
                continue;
            }
            if (c.key != null) {
                c.xCache = CacheStatus.MISS;
                SingleFlight.Flight<Outcome> flight = flights.join(c.key, shared -> outgoing.add(new Outgoing(c, shared)));
                c.pending = flight.result();
                if (!flight.started()) {
                    metrics.coalesced(node.name());
                }
            } else {
                c.xCache = CacheStatus.BYPASS;
                CompletableFuture<Outcome> own = new CompletableFuture<>();
                outgoing.add(new Outgoing(c, own));
                c.pending = own;
            }
            metrics.request(node.name(), policy.label(c.method), c.xCache.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (!outgoing.isEmpty()) {
            send(node, outgoing);
        }
        RpcAnswer answers = new RpcAnswer(lease);
        for (Call c : calls) {
            if (c.notification && c.invalid == null) {
                continue; // forwarded, and JSON-RPC gives it no answer
            }
            if (c.answer != null) {
                answers.add(c.answer);
            } else if (c.hit != null) {
                answers.addResult(c.id, c.hit);
            } else {
                Outcome o = await(node, c);
                if (o.resultText != null) {
                    answers.addResult(c.id, o.resultText); // shared by every identical request of the flight
                } else {
                    answers.add(o.toAnswer(c.id));
                }
            }
        }
        return answers;
    }

    /**
     * Answers the calls that have a fresh entry, reading each key once, all in one round trip; a
     * database outage reads as all misses. Returns the share of the memory budget the values read
     * hold (nothing for a small answer).
     *
     * @throws dev.pgcache.memory.AnswerTooLargeException when the values, once per call, would make the answer too large
     */
    private MemoryBudget.Lease lookUp(RpcNode node, List<Call> keyed) {
        if (keyed.isEmpty() || !node.tracker().cacheUsable()) {
            return budget.empty();
        }
        Map<String, Integer> copies = new LinkedHashMap<>(); // key -> how many calls ask for it
        long envelopes = 0;
        for (Call c : keyed) {
            copies.merge(c.key.key(), 1, Integer::sum);
            envelopes += Utf8.length(envelope(c.idOrNull())) + ",\"result\":},".length();
        }
        List<String> keys = new ArrayList<>(copies.keySet());
        Map<String, Optional<Entry>> found = new HashMap<>();
        MemoryBudget.Lease lease;
        try {
            if (keyed.size() == 1) {
                // one value of at most max-value-size, as a single GET reads it; its size is checked with the answer's
                found.put(keys.get(0), store.get(keyed.get(0).key));
                lease = budget.empty();
            } else {
                BoundedReads.Found read = boundedReads.read(node.namespace(), keys, new ArrayList<>(copies.values()), envelopes,
                        answerLimit, "the cached results of these " + keyed.size() + " requests");
                for (int i = 0; i < keys.size(); i++) {
                    found.put(keys.get(i), read.entries().get(i));
                }
                lease = read.lease();
            }
        } catch (StoreUnavailableException e) {
            metrics.storeFailed(node.name());
            LOG.debugf("JSON-RPC upstream '%s': cache not readable, passing through: %s", node.name(), e.getMessage());
            return budget.empty();
        }
        for (Call c : keyed) {
            Optional<Entry> e = found.get(c.key.key());
            if (e.isPresent() && !e.get().negative() && e.get().freshness() == Freshness.FRESH) {
                c.hit = e.get().json(); // one text, shared by every call that asks for it
                c.xCache = CacheStatus.HIT;
                hits.record(c.key, e.get());
                metrics.request(node.name(), node.policy().label(c.method), "hit");
            }
        }
        return lease;
    }

    /** One call to the node for all of them; completes every future, then stores what may be kept. */
    private void send(RpcNode node, List<Outgoing> outgoing) {
        long generation = node.tracker().generation();
        long epoch = node.tracker().epoch();
        boolean chainReplaced = false;
        boolean repeatable = outgoing.stream().allMatch(o -> o.call.key != null);
        JsonNode request;
        if (outgoing.size() == 1) {
            request = outgoing.get(0).call.forUpstream(0);
        } else {
            ArrayNode batch = JsonNodeFactory.instance.arrayNode(outgoing.size());
            for (int i = 0; i < outgoing.size(); i++) {
                batch.add(outgoing.get(i).call.forUpstream(i));
            }
            request = batch;
        }
        long start = System.nanoTime();
        Map<Integer, JsonNode> byId = new HashMap<>();
        String failure = null;
        String outcome = "ok";
        try {
            String text = node.send(RpcJson.write(request), repeatable);
            collect(text, outgoing.size(), byId);
        } catch (UpstreamFailure f) {
            failure = f.getMessage();
            outcome = f.kind().name().toLowerCase(java.util.Locale.ROOT);
        } catch (IOException e) {
            failure = "the JSON-RPC upstream '" + node.name() + "' answered with a body that is not JSON-RPC";
            outcome = "bad_answer";
        }
        long nanos = System.nanoTime() - start;
        List<Outgoing> keep = new ArrayList<>();
        for (int i = 0; i < outgoing.size(); i++) {
            Outgoing o = outgoing.get(i);
            metrics.upstreamCall(node.name(), node.policy().label(o.call.method), outcome, nanos);
            JsonNode r = byId.get(i);
            // replaced unless the node said it failed: a notification or a failed call may have done it
            chainReplaced |= RpcMethodAccess.rewritesChain(o.call.method) && (r == null || !r.has("error"));
            if (o.call.notification) {
                o.result.complete(Outcome.NONE);
                continue;
            }
            Outcome result;
            if (failure != null) {
                result = Outcome.failed(node.name(), failure);
            } else if (r == null) {
                result = Outcome.failed(node.name(), "the JSON-RPC upstream '" + node.name() + "' gave no answer to this request");
            } else if (r.has("error")) {
                result = Outcome.error(r.get("error"));
            } else if (r.has("result")) {
                result = Outcome.result(r.get("result"));
                if (o.call.key != null) {
                    keep.add(o);
                }
            } else {
                result = Outcome.failed(node.name(), "the JSON-RPC upstream '" + node.name() + "' answered neither a result nor an error");
            }
            o.outcome = result;
            o.result.complete(result);
        }
        if (chainReplaced) {
            // before send returns, so the caller's answer goes out only once the old chain's entries are gone
            node.tracker().chainReplaced();
        }
        if (!keep.isEmpty() && node.tracker().epoch() == epoch) {
            store(node, keep, generation, epoch);
        }
    }

    /** Reads the node's answer into answers by the ids pgcache gave; a single error answer to a batch answers every request. */
    private static void collect(String text, int sent, Map<Integer, JsonNode> byId) throws IOException {
        JsonNode answer = RpcJson.parse(text);
        if (answer.isArray()) {
            for (JsonNode a : answer) {
                if (a.path("id").canConvertToInt()) {
                    byId.put(a.path("id").intValue(), a);
                }
            }
        } else if (answer.isObject()) {
            if (sent == 1) {
                byId.put(0, answer);
            } else if (answer.has("error")) {
                // the node refused the batch as a whole (e.g. it takes no batches): that is every request's answer
                for (int i = 0; i < sent; i++) {
                    byId.put(i, answer);
                }
            }
        } else {
            throw new JsonProcessingException("not an object or array") {
            };
        }
    }

    private void store(RpcNode node, List<Outgoing> keep, long generation, long epoch) {
        RpcMethodPolicy.Heads heads = null;
        boolean headsRead = false;
        for (Outgoing o : keep) {
            Call c = o.call;
            if (!headsRead && needsHeads(node, c)) {
                heads = node.tracker().current();
                headsRead = true;
            }
            Optional<RpcMethodPolicy.Storage> storage = node.policy().storageFor(c.method, c.params, o.outcome.result, heads);
            if (storage.isEmpty()) {
                continue;
            }
            if (storage.get().revision() != null && node.tracker().generation() != generation) {
                continue; // a re-org happened while this was fetched: the answer may be about a replaced block
            }
            if (node.tracker().epoch() != epoch) {
                return; // the chain was replaced while this was fetched: the answer may be about the old one
            }
            String json = o.outcome.resultText;
            long size = StoredJson.sizeOf(json); // what a read returns: numbers in exponent form grow when stored
            if (size < 0 || size > maxValueBytes) {
                continue;
            }
            try {
                store.upsert(new WriteRequest(c.key, json, (int) size, storage.get().lifetime(), List.of(), storage.get().revision()));
            } catch (RuntimeException e) {
                metrics.storeFailed(node.name());
                LOG.debugf("JSON-RPC upstream '%s': answer not stored: %s", node.name(), e.getMessage());
            }
        }
    }

    private static boolean needsHeads(RpcNode node, Call c) {
        RpcMethodPolicy.Rule rule = node.policy().ruleOf(c.method);
        return rule != null && rule.kind() != RpcMethodPolicy.Kind.STATIC;
    }

    private static Outcome await(RpcNode node, Call c) {
        try {
            return c.pending.get(node.waitTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            c.pending.cancel(false);
            return Outcome.failed(node.name(), "no answer from the JSON-RPC upstream '" + node.name() + "' within "
                    + node.waitTimeout().toMillis() + " ms (pgcache.rpc.upstreams." + node.name() + ".wait-timeout)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed(node.name(), "interrupted while waiting for the JSON-RPC upstream '" + node.name() + "'");
        } catch (ExecutionException e) {
            LOG.warnf(e.getCause(), "JSON-RPC call to '%s' failed", node.name());
            return Outcome.failed(node.name(), "the call to the JSON-RPC upstream '" + node.name() + "' failed");
        }
    }

    /** The answer to one request: a result, the node's error, a failure of the call, or nothing (a notification). */
    record Outcome(JsonNode result, String resultText, JsonNode error) {
        static final Outcome NONE = new Outcome(null, null, null);

        static Outcome result(JsonNode result) {
            return new Outcome(result, RpcJson.write(result), null);
        }

        static Outcome error(JsonNode error) {
            return new Outcome(null, null, error);
        }

        static Outcome failed(String upstream, String message) {
            ObjectNode e = JsonNodeFactory.instance.objectNode().put("code", UPSTREAM_ERROR).put("message", message);
            e.putObject("data").put("upstream", upstream);
            return new Outcome(null, null, e);
        }

        String toAnswer(JsonNode id) {
            if (resultText != null) {
                return RpcProxy.result(id, resultText);
            }
            return envelope(id) + ",\"error\":" + RpcJson.write(error) + "}";
        }
    }

    /** A request on its way to the node, with the future its callers wait on. */
    private static final class Outgoing {
        final Call call;
        final CompletableFuture<Outcome> result;
        Outcome outcome;

        Outgoing(Call call, CompletableFuture<Outcome> result) {
            this.call = call;
            this.result = result;
        }
    }

    /** One request of the body, as read and as it is being answered. */
    private static final class Call {
        JsonNode id;
        boolean notification;
        String method;
        JsonNode params;
        String invalid;
        boolean refused;
        EntryId key;
        /** A complete answer decided early: the error of an invalid request. */
        String answer;
        /** The result text of a fresh cached entry, shared by every call of the body with the same key. */
        String hit;
        CacheStatus xCache;
        CompletableFuture<Outcome> pending;

        static Call of(JsonNode item) {
            Call c = new Call();
            if (!item.isObject()) {
                c.invalid = "a request must be a JSON object";
                return c;
            }
            c.notification = !item.has("id");
            JsonNode id = item.get("id");
            if (id != null && !(id.isTextual() || id.isNumber() || id.isNull())) {
                c.invalid = "the id must be a string, a number or null";
            } else {
                c.id = id;
            }
            JsonNode version = item.get("jsonrpc");
            JsonNode method = item.get("method");
            JsonNode params = item.get("params");
            if (version == null || !version.isTextual() || !version.asText().equals("2.0")) {
                c.invalid = "\"jsonrpc\" must be exactly \"2.0\"";
            } else if (method == null || !method.isTextual() || method.asText().isEmpty()) {
                c.invalid = "\"method\" must be a non-empty string";
            } else if (params != null && !params.isArray() && !params.isObject()) {
                c.invalid = "\"params\" must be an array or an object when present";
            }
            c.method = method != null && method.isTextual() ? method.asText() : null;
            c.params = params;
            return c;
        }

        JsonNode idOrNull() {
            return id == null ? JsonNodeFactory.instance.nullNode() : id;
        }

        /** The request as the node gets it: pgcache's own id (the index in the upstream batch), none for a notification. */
        ObjectNode forUpstream(int index) {
            ObjectNode r = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0").put("method", method);
            if (params != null) {
                r.set("params", params);
            }
            if (!notification) {
                r.put("id", index);
            }
            return r;
        }
    }

    static String result(JsonNode id, String resultJson) {
        return envelope(id) + ",\"result\":" + resultJson + "}";
    }

    /** The answer to a refused request: its method, the upstream and the method's class in data, for clients that branch on them. */
    static String refused(JsonNode id, String upstream, String method, RpcMethodAccess.Refusal refusal) {
        ObjectNode e = JsonNodeFactory.instance.objectNode().put("code", METHOD_NOT_PERMITTED).put("message", refusal.message());
        e.putObject("data").put("upstream", upstream).put("method", method).put("access", refusal.access().label());
        return envelope(id) + ",\"error\":" + RpcJson.write(e) + "}";
    }

    static String error(JsonNode id, int code, String message) {
        ObjectNode e = JsonNodeFactory.instance.objectNode().put("code", code).put("message", message);
        return envelope(id) + ",\"error\":" + RpcJson.write(e) + "}";
    }

    static String envelope(JsonNode id) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + (id == null ? "null" : RpcJson.write(id));
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
