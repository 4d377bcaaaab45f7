package dev.pgcache.rpc;

import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.jboss.logging.Logger;

import dev.pgcache.entry.Invalidations;

/**
 * The head and finalized block of one upstream, and the hashes of its recent blocks, refreshed
 * by the poller and on demand when older than the poll interval.
 *
 * <p>Re-orgs: each refresh compares the node's block hashes with the ones remembered, walking
 * down from the highest height both know until they agree (at most {@link #MAX_WALK} calls, never
 * below the finalized block). If a remembered block was replaced, or the chain got shorter, every
 * entry of the upstream's namespace whose revision (the block number it is about) is at or above
 * the first height that may have changed is deleted, in one bounded statement per batch. The
 * generation counter lets an answer fetched before the re-org refuse to be stored after it.
 *
 * <p>A chain replaced through the proxy (anvil_reset, evm_revert, ...: {@link #chainReplaced()})
 * is more than a re-org: even answers pinned by a block hash, or about finalized blocks, may be
 * about a chain that no longer exists. So the whole namespace is deleted, the memory of heads and
 * hashes starts over, and the epoch counter lets no answer fetched before it be stored after it.
 * Until the delete has succeeded (the database may be down), the cache is not read.
 */
final class ChainTracker {

    private static final Logger LOG = Logger.getLogger(ChainTracker.class);
    static final int MAX_WALK = 64;
    static final int REMEMBERED = 256;

    private final RpcConnection node;
    private final ChainReader reader;
    private final Invalidations invalidations;
    private final RpcMetrics metrics;
    private final long intervalNanos;
    private final Duration firstWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final TreeMap<Long, String> hashes = new TreeMap<>(); // guarded by lock
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicLong reorgsSeen = new AtomicLong();
    private volatile boolean wipePending; // written under lock: the chain was replaced and the namespace not yet emptied
    private volatile RpcMethodPolicy.Heads heads;
    private volatile long refreshedAt;
    private Long pendingInvalidation; // guarded by lock: a re-org whose invalidation failed, retried on the next refresh
    private boolean failing; // guarded by lock: log a failing node once, not every poll

    ChainTracker(RpcConnection node, ChainReader reader, Invalidations invalidations, RpcMetrics metrics, Duration interval, Duration firstWait) {
        this.node = node;
        this.reader = reader;
        this.invalidations = invalidations;
        this.metrics = metrics;
        this.intervalNanos = interval.toNanos();
        this.firstWait = firstWait;
    }

    /** The heads, refreshed first when older than the poll interval; null while the node has never answered. */
    RpcMethodPolicy.Heads current() {
        RpcMethodPolicy.Heads h = heads;
        if (h != null && System.nanoTime() - refreshedAt < intervalNanos) {
            return h;
        }
        try {
            // with heads known, a refresh already running is not waited for; without, it is, briefly
            if (h != null ? lock.tryLock() : lock.tryLock(firstWait.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    if (heads == null || System.nanoTime() - refreshedAt >= intervalNanos) {
                        refreshLocked();
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return heads;
    }

    /** The heads as last seen, without asking the node; null while it has never answered. */
    RpcMethodPolicy.Heads lastSeen() {
        return heads;
    }

    /** Re-orgs this replica detected since it started. */
    long reorgsSeen() {
        return reorgsSeen.get();
    }

    /** A scheduled refresh. */
    void poll() {
        lock.lock();
        try {
            refreshLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Bumped on every re-org detected, and when the chain is replaced. */
    long generation() {
        return generation.get();
    }

    /** Bumped when the chain is replaced: an answer fetched in an older epoch must not be stored at all. */
    long epoch() {
        return epoch.get();
    }

    /** Whether cached answers may be served: not while a replaced chain's entries may still be in the table. */
    boolean cacheUsable() {
        return !wipePending;
    }

    /**
     * The node's chain was replaced (or may have been: the call that does it failed without an
     * answer): forget the heads and hashes and delete every cached answer of the upstream. A delete
     * that fails is retried on every refresh, and the cache is not read until it succeeds.
     */
    void chainReplaced() {
        lock.lock();
        try {
            epoch.incrementAndGet();
            generation.incrementAndGet();
            hashes.clear();
            heads = null;
            pendingInvalidation = null;
            wipePending = true;
            LOG.infof("JSON-RPC upstream '%s': its chain was replaced through the proxy; deleting every cached answer of %s",
                    node.name(), node.namespace());
            try {
                retryPendingWipe();
            } catch (RuntimeException e) {
                LOG.warnf("JSON-RPC upstream '%s': cached answers of the replaced chain not deleted yet (retried on the next poll): %s",
                        node.name(), e.getMessage());
            }
        } finally {
            lock.unlock();
        }
    }

    private void refreshLocked() {
        try {
            retryPendingWipe();
            retryPendingInvalidation();
            ChainReader.Block top = reader.head();
            long finalized = reader.finalized(top.number());
            Long from = reorgFrom(top, finalized);
            if (from != null) {
                generation.incrementAndGet();
                hashes.tailMap(from, true).clear();
                pendingInvalidation = from;
                metrics.reorg(node.name());
                reorgsSeen.incrementAndGet();
                LOG.infof("JSON-RPC upstream '%s': re-org from block %d (head now %d); invalidating cached answers about blocks %d and above",
                        node.name(), from, top.number(), from);
                retryPendingInvalidation();
            }
            if (top.hash() != null) {
                hashes.put(top.number(), top.hash());
            }
            while (hashes.size() > REMEMBERED) {
                hashes.pollFirstEntry();
            }
            heads = new RpcMethodPolicy.Heads(top.number(), finalized);
            refreshedAt = System.nanoTime();
            metrics.heads(node.name(), top.number(), finalized);
            if (failing) {
                LOG.infof("JSON-RPC upstream '%s' answers again: head %d, finalized %d", node.name(), top.number(), finalized);
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warnf("JSON-RPC upstream '%s': cannot read its head: %s", node.name(), e.getMessage());
                failing = true;
            }
        }
    }

    private void retryPendingWipe() {
        if (wipePending) {
            long deleted = invalidations.invalidateNamespace(node.namespace());
            wipePending = false;
            LOG.infof("JSON-RPC upstream '%s': %d cached answers of the replaced chain deleted", node.name(), deleted);
        }
    }

    private void retryPendingInvalidation() {
        if (pendingInvalidation != null) {
            long deleted = invalidations.invalidateRevisionsFrom(node.namespace(), pendingInvalidation);
            LOG.debugf("JSON-RPC upstream '%s': %d cached answers invalidated from block %d", node.name(), deleted, pendingInvalidation);
            pendingInvalidation = null;
        }
    }

    /**
     * The lowest height whose block may have changed since the last refresh, or null when none did.
     * Walks down from the highest height both the node and the memory know to the first one whose
     * hash still agrees; when it finds none (the memory ends, the walk is too long), every block
     * above the finalized one may have changed.
     */
    private Long reorgFrom(ChainReader.Block top, long finalized) {
        if (hashes.isEmpty()) {
            return null;
        }
        long highestKnown = hashes.lastKey();
        long lowestKnown = hashes.firstKey();
        Long from = top.number() < highestKnown ? top.number() + 1 : null; // the chain got shorter
        long h = Math.min(top.number(), highestKnown);
        String actual = h == top.number() ? top.hash() : reader.hashAt(h);
        boolean diverged = false;
        long agreeFrom;
        for (int steps = 0;; steps++) {
            String known = hashes.get(h);
            if (known != null && known.equals(actual)) {
                agreeFrom = h + 1;
                break;
            }
            diverged |= known != null;
            if (h <= finalized || h <= lowestKnown || steps >= MAX_WALK || actual == null) {
                agreeFrom = Math.max(0, finalized + 1);
                break;
            }
            h--;
            actual = reader.hashAt(h);
        }
        if (diverged) {
            from = from == null ? agreeFrom : Math.min(from, agreeFrom);
        }
        return from;
    }
}
