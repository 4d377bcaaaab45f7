package dev.pgcache.rpc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.BoundedReads;
import dev.pgcache.entry.ChainViews;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.EntryStore;
import dev.pgcache.entry.Freshness;
import dev.pgcache.entry.Invalidations;
import dev.pgcache.entry.StoreUnavailableException;
import dev.pgcache.entry.WriteOutcome;
import dev.pgcache.entry.WriteRequest;
import dev.pgcache.hits.HitTracker;
import dev.pgcache.memory.AnswerLimit;
import dev.pgcache.memory.MemoryBudget;
import dev.pgcache.protocol.CacheStatus;
import dev.pgcache.protocol.StoredJson;
import dev.pgcache.protocol.Utf8;

/**
 * The proxy's side of the cache table: fresh results looked up for the calls of a body (all in one
 * round trip, each key once, bounded like a batch-get's answer), and results the method policy
 * allows written back, each with the block number it depends on as revision. A database outage
 * reads as all misses and keeps nothing: the proxy then passes every call through.
 */
@ApplicationScoped
class RpcCache {

    private static final Logger LOG = Logger.getLogger(RpcCache.class);

    private final EntryStore store;
    private final Invalidations invalidations;
    private final BoundedReads boundedReads;
    private final MemoryBudget budget;
    private final HitTracker hits;
    private final RpcMetrics metrics;
    private final long maxValueBytes;
    private final AnswerLimit answerLimit;

    RpcCache(EntryStore store, Invalidations invalidations, BoundedReads boundedReads, MemoryBudget budget, HitTracker hits,
            RpcMetrics metrics, PgcacheConfig config) {
        this.store = store;
        this.invalidations = invalidations;
        this.boundedReads = boundedReads;
        this.budget = budget;
        this.hits = hits;
        this.metrics = metrics;
        this.maxValueBytes = config.limits().maxValueSize().asLongValue();
        this.answerLimit = AnswerLimit.of(config.rpc().maxAnswerSize(), config, "pgcache.rpc.max-answer-size",
                "split the batch, or ask for fewer large results at a time");
    }

    /** The largest answer to one body (pgcache.rpc.max-answer-size): what is read here is bounded by it, as is what the proxy builds. */
    AnswerLimit answerLimit() {
        return answerLimit;
    }

    /**
     * Answers the calls that have a fresh entry, reading each key once, all in one round trip; a
     * database outage reads as all misses. Returns the share of the memory budget the values read
     * hold (nothing for a small answer).
     *
     * @throws dev.pgcache.memory.AnswerTooLargeException when the values, once per call, would make the answer too large
     */
    MemoryBudget.Lease lookUp(RpcNode node, List<RpcCall> keyed) {
        if (keyed.isEmpty() || !node.tracker().cacheUsable()) {
            return budget.empty();
        }
        Map<String, Integer> copies = new LinkedHashMap<>(); // key -> how many calls ask for it
        long envelopes = 0;
        for (RpcCall c : keyed) {
            copies.merge(c.key.key(), 1, Integer::sum);
            envelopes += Utf8.length(RpcEnvelope.envelope(c.idOrNull())) + ",\"result\":},".length();
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
        for (RpcCall c : keyed) {
            Optional<Entry> e = found.get(c.key.key());
            if (e.isPresent() && !e.get().negative() && e.get().freshness() == Freshness.FRESH) {
                c.hit = e.get().json(); // one text, shared by every call that asks for it
                c.xCache = CacheStatus.HIT;
                hits.record(c.key, e.get());
                if (!c.part) { // a chunk of eth_getLogs is counted by LogChunks
                    metrics.request(node.name(), node.policy().label(c.method), "hit");
                }
            }
        }
        return lease;
    }

    /**
     * Keeps the results the policy allows, unless the chain moved under them while they were fetched.
     *
     * @param generation the tracker's re-org generation when the batch was sent
     * @param epoch      the tracker's chain epoch when the batch was sent
     */
    List<EntryId> keep(RpcNode node, List<RpcUpstreamBatch.Outgoing> results, long generation, long epoch) {
        return keep(node, results, generation, epoch, store::upsert);
    }

    /**
     * Once what {@link #keep} wrote is committed: when another replica has bumped the shared
     * re-org generation or epoch since the answers were fetched ({@link ChainTracker#stillCurrent}),
     * they may be about replaced blocks, and are deleted again. The bump comes before that
     * replica's delete, so an answer written before its delete is deleted by it, and one written
     * after is found here.
     */
    void confirm(RpcNode node, List<EntryId> written, ChainViews.Stamp fetchedUnder) {
        if (written.isEmpty() || node.tracker().stillCurrent(fetchedUnder)) {
            return;
        }
        try {
            for (EntryId id : written) {
                invalidations.invalidate(id);
            }
        } catch (RuntimeException e) {
            metrics.storeFailed(node.name());
            LOG.debugf("JSON-RPC upstream '%s': answers fetched before a re-org not deleted again: %s", node.name(), e.getMessage());
        }
    }

    /**
     * {@link #keep(RpcNode, List, long, long)} through {@code writes}: the load locks' transaction
     * when the results were fetched under them ({@link RpcReplicaFlights}), so they are visible
     * to the replicas waiting for them when the locks end.
     */
    List<EntryId> keep(RpcNode node, List<RpcUpstreamBatch.Outgoing> results, long generation, long epoch,
            Function<WriteRequest, WriteOutcome> writes) {
        List<EntryId> written = new ArrayList<>();
        RpcMethodPolicy.Heads heads = null;
        boolean headsRead = false;
        for (RpcUpstreamBatch.Outgoing o : results) {
            RpcCall c = o.call;
            if (!headsRead && needsHeads(node, c)) {
                heads = node.tracker().current();
                headsRead = true;
            }
            Optional<RpcMethodPolicy.Storage> storage = node.policy().storageFor(c.method, c.params, o.outcome.result(), heads);
            if (storage.isEmpty()) {
                continue;
            }
            if (storage.get().revision() != null && node.tracker().generation() != generation) {
                continue; // a re-org happened while this was fetched: the answer may be about a replaced block
            }
            if (node.tracker().epoch() != epoch) {
                return written; // the chain was replaced while this was fetched: the answer may be about the old one
            }
            String json = o.outcome.resultText();
            long size = StoredJson.sizeOf(json); // what a read returns: numbers in exponent form grow when stored
            if (size < 0 || size > maxValueBytes) {
                continue;
            }
            try {
                if (writes.apply(new WriteRequest(c.key, json, (int) size, storage.get().lifetime(), List.of(),
                        storage.get().revision())) instanceof WriteOutcome.Written) {
                    written.add(c.key);
                }
            } catch (RuntimeException e) {
                metrics.storeFailed(node.name());
                LOG.debugf("JSON-RPC upstream '%s': answer not stored: %s", node.name(), e.getMessage());
            }
        }
        return written;
    }

    private static boolean needsHeads(RpcNode node, RpcCall c) {
        RpcMethodPolicy.Rule rule = node.policy().ruleOf(c.method);
        return rule != null && rule.kind() != RpcMethodPolicy.Kind.STATIC;
    }
}
