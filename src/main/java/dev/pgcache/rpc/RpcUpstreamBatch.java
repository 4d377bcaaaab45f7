package dev.pgcache.rpc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import dev.pgcache.config.EnumText;
import dev.pgcache.entry.ChainViews;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.WriteOutcome;
import dev.pgcache.entry.WriteRequest;
import dev.pgcache.load.UpstreamFailure;

/**
 * One call to the node for every request of a body the cache did not answer: one upstream batch
 * (or one call when there is only one) with ids of pgcache's own, its answers matched back by
 * those ids, every waiting future completed, and the results the policy allows kept
 * ({@link RpcCache#keep}). A method that replaces the node's chain and was not answered with an
 * error empties the upstream's namespace before the batch is done ({@link ChainTracker#chainReplaced()}).
 */
@ApplicationScoped
class RpcUpstreamBatch {

    /** A request on its way to the node, with the future its callers wait on. */
    static final class Outgoing {
        final RpcCall call;
        final CompletableFuture<RpcOutcome> result;
        RpcOutcome outcome;

        Outgoing(RpcCall call, CompletableFuture<RpcOutcome> result) {
            this.call = call;
            this.result = result;
        }
    }

    /** What a send stored and the shared chain stamp it was fetched under: confirmed ({@link RpcCache#confirm}) once committed. */
    record Kept(List<EntryId> written, ChainViews.Stamp fetchedUnder) {
        static final Kept NOTHING = new Kept(List.of(), null);
    }

    private final RpcCache cache;
    private final RpcMetrics metrics;

    RpcUpstreamBatch(RpcCache cache, RpcMetrics metrics) {
        this.cache = cache;
        this.metrics = metrics;
    }

    /** One call to the node for all of them; completes every future, then stores what may be kept. */
    void send(RpcNode node, List<Outgoing> outgoing) {
        Kept kept = send(node, outgoing, null);
        cache.confirm(node, kept.written(), kept.fetchedUnder());
    }

    /**
     * {@link #send(RpcNode, List)}, storing through {@code writes} (a load locks' transaction);
     * null: each write on its own. The caller confirms what was kept once it is committed.
     */
    Kept send(RpcNode node, List<Outgoing> outgoing, Function<WriteRequest, WriteOutcome> writes) {
        ChainViews.Stamp stamp = node.tracker().sharedStamp();
        long generation = node.tracker().generation();
        long epoch = node.tracker().epoch();
        boolean chainReplaced = false;
        // reads only (cached or not): a failure may be retried, and the call sent to another node
        boolean repeatable = outgoing.stream().allMatch(o -> o.call.key != null || BlockNeed.readOnly(node.policy(), o.call.method));
        long need = BlockNeed.NONE;
        for (Outgoing o : outgoing) {
            need = Math.max(need, BlockNeed.of(node.policy(), o.call.method, o.call.params));
        }
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
            String text = node.send(RpcJson.write(request), repeatable, need);
            collect(text, outgoing.size(), byId);
        } catch (UpstreamFailure f) {
            failure = f.getMessage();
            outcome = EnumText.of(f.kind());
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
                o.result.complete(RpcOutcome.NONE);
                continue;
            }
            RpcOutcome result;
            if (failure != null) {
                result = RpcOutcome.failed(node.name(), failure);
            } else if (r == null) {
                result = RpcOutcome.failed(node.name(), "the JSON-RPC upstream '" + node.name() + "' gave no answer to this request");
            } else if (r.has("error")) {
                result = RpcOutcome.error(r.get("error"));
            } else if (r.has("result")) {
                result = RpcOutcome.result(r.get("result"));
                if (o.call.key != null) {
                    keep.add(o);
                }
            } else {
                result = RpcOutcome.failed(node.name(), "the JSON-RPC upstream '" + node.name() + "' answered neither a result nor an error");
            }
            o.outcome = result;
            o.result.complete(result);
        }
        if (chainReplaced) {
            // before send returns, so the caller's answer goes out only once the old chain's entries are gone
            node.tracker().chainReplaced();
        }
        if (keep.isEmpty() || node.tracker().epoch() != epoch) {
            return Kept.NOTHING;
        }
        return new Kept(writes == null ? cache.keep(node, keep, generation, epoch) : cache.keep(node, keep, generation, epoch, writes), stamp);
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
}
