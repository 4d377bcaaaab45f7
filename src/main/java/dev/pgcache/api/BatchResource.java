package dev.pgcache.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.vertx.ext.web.RoutingContext;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.BatchWrite;
import dev.pgcache.entry.BatchWriteResult;
import dev.pgcache.entry.BoundedReads;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.EntryStore;
import dev.pgcache.entry.Freshness;
import dev.pgcache.entry.KeyRules;
import dev.pgcache.entry.Lifetime;
import dev.pgcache.entry.NamespacePolicies;
import dev.pgcache.hits.HitTracker;
import dev.pgcache.memory.AnswerLimit;
import dev.pgcache.metrics.CacheMetrics;
import dev.pgcache.metrics.CacheMetrics.Event;
import dev.pgcache.protocol.ProblemException;
import dev.pgcache.security.Access;
import dev.pgcache.security.Scope;

/**
 * Many keys of one namespace in one request: a batch-get is one statement and a batch-put one
 * upsert, whatever the number of keys (docs/architecture.md, "Batch statements"). Bodies are
 * streamed in and out by {@link BatchBodies} and {@link BatchAnswers}; the routes and their
 * documentation are in {@link BatchApi}.
 */
public class BatchResource implements BatchApi {

    private final CachePaths paths;
    private final EntryStore store;
    private final KeyRules keyRules;
    private final NamespacePolicies policies;
    private final BatchBodies batchBodies;
    private final CacheMetrics metrics;
    private final HitTracker hits;
    private final BoundedReads boundedReads; // answers are bounded before their values are read (docs/security.md)
    private final AnswerLimit answerLimit;

    BatchResource(CachePaths paths, EntryStore store, KeyRules keyRules, NamespacePolicies policies, BatchBodies batchBodies,
            CacheMetrics metrics, HitTracker hits, BoundedReads boundedReads, PgcacheConfig config) {
        this.paths = paths;
        this.store = store;
        this.keyRules = keyRules;
        this.policies = policies;
        this.batchBodies = batchBodies;
        this.metrics = metrics;
        this.hits = hits;
        this.boundedReads = boundedReads;
        this.answerLimit = AnswerLimit.of(config.limits().maxAnswerSize(), config, "pgcache.limits.max-answer-size",
                "ask for fewer keys at a time");
    }

    @Override
    @Access(value = Scope.READ, namespace = "{namespace}")
    public Response batchGet(String rawNamespace, String contentType, RoutingContext ctx, byte[] body) {
        String namespace = paths.namespace(rawNamespace);
        JsonContent.require(contentType);
        List<String> keys = batchBodies.keys(body);
        Map<String, Integer> asked = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            checkKey(keys.get(i), "keys[" + i + "]");
            Integer earlier = asked.putIfAbsent(keys.get(i), i);
            if (earlier != null) {
                // answering a key twice would copy its value twice: one request could multiply a 1 MiB value by the batch size
                throw ProblemException.badRequest("invalid-batch", "keys[" + i + "] '" + KeyRules.printable(keys.get(i))
                        + "' was already asked as keys[" + earlier + "]; ask for each key once");
            }
        }
        List<Optional<Entry>> entries = List.of();
        if (!keys.isEmpty()) {
            BoundedReads.Found found = boundedReads.read(namespace, keys, null, BatchAnswers.envelopeBytes(keys), answerLimit,
                    "the values of these " + keys.size() + " keys");
            AnswerLeases.releaseAtEnd(ctx, found.lease());
            entries = found.entries();
        }
        for (int i = 0; i < entries.size(); i++) {
            Optional<Entry> e = entries.get(i);
            metrics.count(namespace, e.isEmpty() ? Event.MISS : e.get().freshness() == Freshness.FRESH ? Event.HIT : Event.STALE_HIT);
            if (e.isPresent()) {
                hits.record(new EntryId(namespace, keys.get(i)), e.get()); // a batch read is a read of each entry
            }
        }
        return Response.ok(BatchAnswers.entries(keys, entries), MediaType.APPLICATION_JSON_TYPE).build();
    }

    @Override
    @Access(value = Scope.WRITE, namespace = "{namespace}")
    public Map<String, Object> batchPut(String rawNamespace, String contentType, byte[] body) {
        String namespace = paths.namespace(rawNamespace);
        JsonContent.require(contentType);
        List<BatchBodies.PutItem> items = batchBodies.entries(body);
        Set<String> seen = new HashSet<>();
        List<BatchWrite> writes = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            BatchBodies.PutItem item = items.get(i);
            String where = "entries[" + i + "]";
            checkKey(item.key(), where + ".key");
            if (!seen.add(item.key())) {
                throw ProblemException.badRequest("invalid-batch", where + ".key '" + item.key() + "' appears more than once in the batch");
            }
            Lifetime lifetime;
            List<String> tags;
            try {
                lifetime = policies.lifetimeFor(namespace, item.ttl(), item.stale());
                tags = keyRules.checkTags(item.tags());
            } catch (ProblemException e) {
                throw ProblemException.badRequest(e.slug(), where + ": " + e.getMessage());
            }
            writes.add(new BatchWrite(item.key(), item.json(), item.sizeBytes(), lifetime, tags, item.revision()));
        }
        List<BatchWriteResult> results = writes.isEmpty() ? List.of() : store.upsertAll(namespace, writes);
        long written = results.stream().filter(BatchWriteResult::written).count();
        metrics.count(namespace, Event.WRITE, written);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("results", results.stream().map(r -> result(r, writes)).toList());
        answer.put("written", written);
        answer.put("refused", results.size() - written);
        return answer;
    }

    private static Map<String, Object> result(BatchWriteResult r, List<BatchWrite> writes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", r.key());
        if (r.written()) {
            m.put("outcome", r.result().created() ? "created" : "replaced");
            m.put("version", r.result().version());
            m.put("expiresAt", r.result().expiresAt());
            m.put("staleUntil", r.result().staleUntil());
        } else {
            Long sent = writes.stream().filter(w -> w.key().equals(r.key())).findFirst().map(BatchWrite::revision).orElse(null);
            m.put("outcome", "refused");
            m.put("reason", "revision " + sent + " is lower than the stored revision"
                    + (r.storedRevision() == null ? "" : " " + r.storedRevision()));
            m.put("storedRevision", r.storedRevision());
        }
        return m;
    }

    /** A key of the body, checked as a path's would be; the problem names where in the body it stands. */
    private void checkKey(String key, String where) {
        try {
            keyRules.checkKey(key);
        } catch (ProblemException e) {
            throw ProblemException.badRequest(e.slug(), where + ": " + e.getMessage());
        }
    }
}
