package dev.pgcache.rpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.BatchRead;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryStore;
import dev.pgcache.entry.Freshness;
import dev.pgcache.entry.LoadLocks;
import dev.pgcache.load.LoadSlots;
import dev.pgcache.load.LockWait;

/**
 * Sends a body's cache misses to the node once across replicas, as read-through loads are
 * (docs/architecture.md, "One load per key"): {@link dev.pgcache.load.SingleFlight} has already
 * made them one per key in this replica; here the cacheable ones take their entries' load locks
 * ({@link LoadLocks#underLoadLocks}: the same two-key advisory locks, all of a body's in one
 * statement, in one transaction on one pooled connection) and are read again under them:
 * <ul>
 * <li>a key another replica has stored meanwhile is answered from the cache;</li>
 * <li>the keys still missing go to the node together with the body's other calls, as one
 * upstream batch ({@link RpcUpstreamBatch}), and their results are stored in the locks'
 * transaction, so they are in the table when the locks end;</li>
 * <li>a key whose lock another replica holds waits for it like a read-through load
 * ({@link LockWait}: no connection held, the table read again with backoff, the lock tried again
 * once free) until the upstream's wait-timeout, then fails with -32000 rather than call the node
 * a second time while the first call may still succeed.</li>
 * </ul>
 * Calls that are not cacheable are never locked. The connection held across the node's call is
 * one of the replica's {@link LoadSlots} ({@code pgcache.load.max-concurrent}, shared with
 * read-through); with none free, or with the database unreachable, or while the upstream's cache
 * is not usable, the misses go to the node without the lock, as a replica on its own would send
 * them. A failure after the node's call only costs the write, never a second call.
 */
@ApplicationScoped
class RpcReplicaFlights {

    private static final Logger LOG = Logger.getLogger(RpcReplicaFlights.class);

    private final LoadLocks locks;
    private final EntryStore store;
    private final LoadSlots slots;
    private final RpcUpstreamBatch upstreamBatch;
    private final RpcCache cache;
    private final RpcMetrics metrics;
    /** The most a re-read may bring back: what one answer of the node may hold (pgcache.rpc.max-response-size). */
    private final long maxReadBytes;

    RpcReplicaFlights(LoadLocks locks, EntryStore store, LoadSlots slots, RpcUpstreamBatch upstreamBatch, RpcCache cache,
            RpcMetrics metrics, PgcacheConfig config) {
        this.cache = cache;
        this.locks = locks;
        this.store = store;
        this.slots = slots;
        this.upstreamBatch = upstreamBatch;
        this.metrics = metrics;
        this.maxReadBytes = config.rpc().maxResponseSize().asLongValue();
    }

    /** Completes the future of every request: from the node, or from what another replica stored. */
    void send(RpcNode node, List<RpcUpstreamBatch.Outgoing> outgoing) {
        List<RpcUpstreamBatch.Outgoing> keyed = new ArrayList<>();
        List<RpcUpstreamBatch.Outgoing> unkeyed = new ArrayList<>();
        for (RpcUpstreamBatch.Outgoing o : outgoing) {
            (o.call.key != null ? keyed : unkeyed).add(o);
        }
        if (keyed.isEmpty() || !node.tracker().cacheUsable()) {
            upstreamBatch.send(node, outgoing);
            return;
        }
        if (!slots.tryTake()) {
            metrics.unlocked(node.name(), keyed.size());
            upstreamBatch.send(node, outgoing);
            return;
        }
        List<RpcUpstreamBatch.Outgoing> heldElsewhere;
        try {
            heldElsewhere = sendLocked(node, keyed, unkeyed);
        } finally {
            slots.release();
        }
        if (!heldElsewhere.isEmpty()) {
            awaitOtherReplicas(node, heldElsewhere);
        }
    }

    /**
     * Takes what it can of the keyed calls' locks; answers those another replica stored, sends
     * the rest with the unkeyed ones, and stores under the locks. Answers the keyed calls whose
     * lock another replica holds (all of them when it got none: then the unkeyed ones go alone).
     */
    private List<RpcUpstreamBatch.Outgoing> sendLocked(RpcNode node, List<RpcUpstreamBatch.Outgoing> keyed,
            List<RpcUpstreamBatch.Outgoing> unkeyed) {
        List<RpcUpstreamBatch.Outgoing> heldElsewhere = new ArrayList<>();
        List<RpcUpstreamBatch.Outgoing> sent = new ArrayList<>();
        try {
            Optional<RpcUpstreamBatch.Kept> ran = locks.underLoadLocks(node.namespace(), keys(keyed), (taken, locked) -> {
                List<RpcUpstreamBatch.Outgoing> mine = new ArrayList<>();
                for (int i = 0; i < keyed.size(); i++) {
                    (taken.get(i) ? mine : heldElsewhere).add(keyed.get(i));
                }
                List<RpcUpstreamBatch.Outgoing> toNode = answerStored(node, mine, locked.getAll(keys(mine), maxReadBytes));
                toNode.addAll(unkeyed);
                if (toNode.isEmpty()) {
                    return RpcUpstreamBatch.Kept.NOTHING;
                }
                sent.addAll(toNode);
                return upstreamBatch.send(node, toNode, locked::upsert);
            });
            if (ran.isEmpty()) {
                if (!unkeyed.isEmpty()) {
                    upstreamBatch.send(node, unkeyed);
                }
                return keyed;
            }
            cache.confirm(node, ran.get().written(), ran.get().fetchedUnder()); // committed now
            return heldElsewhere;
        } catch (RuntimeException e) {
            metrics.storeFailed(node.name());
            if (!sent.isEmpty()) {
                // the node was called and its answers are out; only their write (or the commit) failed
                LOG.debugf("JSON-RPC upstream '%s': answers not stored under their load locks: %s", node.name(), e.getMessage());
                failUnanswered(node, sent);
                return heldElsewhere;
            }
            LOG.debugf("JSON-RPC upstream '%s': load locks not taken, passing through: %s", node.name(), e.getMessage());
            passThrough(node, keyed, unkeyed);
            return List.of();
        }
    }

    /**
     * Waits for the replicas that hold these calls' locks: reads the table again with backoff,
     * answers what they stored, and takes a lock that has come free (its holder stored nothing)
     * to call the node itself. At the wait-timeout the calls still waiting fail.
     */
    private void awaitOtherReplicas(RpcNode node, List<RpcUpstreamBatch.Outgoing> waiting) {
        metrics.lockWait(node.name());
        LockWait wait = new LockWait(node.waitTimeout());
        List<RpcUpstreamBatch.Outgoing> left = waiting;
        try {
            while (!left.isEmpty()) {
                if (!wait.pause()) {
                    break;
                }
                left = answerStored(node, left, store.getAll(node.namespace(), keys(left), null, maxReadBytes));
                if (left.isEmpty() || wait.expired()) {
                    break;
                }
                if (slots.tryTake()) {
                    try {
                        left = sendLocked(node, left, List.of());
                    } finally {
                        slots.release();
                    }
                }
            }
            left.forEach(o -> o.result.complete(RpcOutcome.timedOut(node)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            left.forEach(o -> o.result.complete(RpcOutcome.failed(node.name(), "interrupted while waiting for another replica's call")));
        } catch (RuntimeException e) {
            metrics.storeFailed(node.name());
            LOG.debugf("JSON-RPC upstream '%s': cache not readable while waiting for another replica, passing through: %s", node.name(),
                    e.getMessage());
            passThrough(node, left, List.of());
        }
    }

    /** Completes the calls a fresh stored result answers; answers the others. */
    private List<RpcUpstreamBatch.Outgoing> answerStored(RpcNode node, List<RpcUpstreamBatch.Outgoing> calls, BatchRead read) {
        if (!read.fits()) {
            return new ArrayList<>(calls); // more than one node answer may hold: ask the node, whose answer is bounded
        }
        List<RpcUpstreamBatch.Outgoing> rest = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            RpcUpstreamBatch.Outgoing o = calls.get(i);
            Optional<Entry> e = read.entries().get(i);
            if (e.isPresent() && !e.get().negative() && e.get().freshness() == Freshness.FRESH) {
                o.outcome = RpcOutcome.stored(e.get().json());
                o.result.complete(o.outcome);
                metrics.coalesced(node.name());
            } else {
                rest.add(o);
            }
        }
        return rest;
    }

    /** The database failed before the node was called: the calls not answered yet go to the node without locks. */
    private void passThrough(RpcNode node, List<RpcUpstreamBatch.Outgoing> keyed, List<RpcUpstreamBatch.Outgoing> unkeyed) {
        List<RpcUpstreamBatch.Outgoing> rest = new ArrayList<>();
        for (RpcUpstreamBatch.Outgoing o : keyed) {
            if (!o.result.isDone()) {
                rest.add(o);
            }
        }
        rest.addAll(unkeyed);
        if (!rest.isEmpty()) {
            metrics.unlocked(node.name(), rest.size());
            upstreamBatch.send(node, rest);
        }
    }

    /** After the node's call: whatever is still unanswered (the send itself failed) must not leave its callers waiting. */
    private static void failUnanswered(RpcNode node, List<RpcUpstreamBatch.Outgoing> calls) {
        for (RpcUpstreamBatch.Outgoing o : calls) {
            if (!o.result.isDone()) {
                o.result.complete(RpcOutcome.failed(node.name(), "the call to the JSON-RPC upstream '" + node.name() + "' failed"));
            }
        }
    }

    private static List<String> keys(List<RpcUpstreamBatch.Outgoing> calls) {
        List<String> keys = new ArrayList<>(calls.size());
        for (RpcUpstreamBatch.Outgoing o : calls) {
            keys.add(o.call.key.key());
        }
        return keys;
    }
}
