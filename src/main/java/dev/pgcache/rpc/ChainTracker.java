package dev.pgcache.rpc;

import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import org.jboss.logging.Logger;

import dev.pgcache.entry.ChainViews;
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
 *
 * <p>Shared by the replicas ({@link ChainViews}: tables rpc_chain and rpc_block_hash): each
 * refresh first reads the upstream's shared view. The hashes compared are the shared ones, so one
 * replica detects a re-org, bumps the shared generation (before it deletes, so no replica can
 * store an answer about a replaced block after the delete without seeing the bump:
 * {@link #stillCurrent}) and the others learn it on their next refresh (their own generation goes
 * up, so what they fetched before is not stored) instead of detecting it again. The finalized
 * block is the highest any replica has seen. A chain replaced through one replica bumps the
 * shared epoch; the others then forget their heads and hashes too. With the database away, the
 * tracker goes on with its own memory, as a replica on its own.
 */
final class ChainTracker {

    private static final Logger LOG = Logger.getLogger(ChainTracker.class);
    static final int MAX_WALK = 64;
    static final int REMEMBERED = 256;
    /** Hashes read from the shared view on each refresh: as many as a walk can compare. */
    static final int SHARED_HASHES = MAX_WALK + 2;

    private final RpcConnection node;
    private final ChainReader reader;
    private final Invalidations invalidations;
    private final ChainViews views;
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
    private volatile ChainViews.Stamp known; // written under lock: the shared epoch and generation last seen; null before the first read
    private boolean sharedReorgPending; // guarded by lock: a re-org this replica detected, not yet bumped in the shared view
    private boolean sharedReplacePending; // guarded by lock: a chain replaced through this replica, not yet bumped in the shared view

    ChainTracker(RpcConnection node, ChainReader reader, Invalidations invalidations, ChainViews views, RpcMetrics metrics, Duration interval,
            Duration firstWait) {
        this.node = node;
        this.reader = reader;
        this.invalidations = invalidations;
        this.views = views;
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

    /** Re-orgs this replica detected and recorded first (in the shared view) since it started. */
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

    /** The shared epoch and generation as last seen (null: never read): what an answer fetched now is fetched under. */
    ChainViews.Stamp sharedStamp() {
        return known;
    }

    /**
     * Whether the shared epoch and generation are still those an answer was fetched under, read
     * now: an answer stored after a re-org was bumped may be about a replaced block. True when it
     * cannot tell (never read, or the database away: then nothing was stored either).
     */
    boolean stillCurrent(ChainViews.Stamp fetchedUnder) {
        if (fetchedUnder == null) {
            return true;
        }
        try {
            return views.stamp(node.name()).equals(fetchedUnder);
        } catch (RuntimeException e) {
            return true;
        }
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
            startOver();
            sharedReplacePending = true;
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
            ChainViews.ChainView view = readShared();
            ChainReader.Block top = reader.head();
            long finalized = reader.finalized(top.number());
            if (view != null && view.finalized() != null) {
                finalized = Math.max(finalized, view.finalized()); // what another replica saw final stays final
            }
            Long from = reorgFrom(top, finalized);
            if (from != null) {
                generation.incrementAndGet();
                hashes.tailMap(from, true).clear();
                pendingInvalidation = pendingInvalidation == null ? from : Math.min(pendingInvalidation, from);
                sharedReorgPending = true;
                if (known == null) {
                    counted(); // no shared view: this replica records it alone
                }
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
            writeShared(view, top, finalized);
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

    /** Reads the shared view and learns from it what other replicas did; null when the database cannot be read. */
    private ChainViews.ChainView readShared() {
        ChainViews.ChainView view;
        try {
            view = views.read(node.name(), SHARED_HASHES);
        } catch (RuntimeException e) {
            LOG.debugf("JSON-RPC upstream '%s': shared chain view not readable, going on with this replica's: %s", node.name(), e.getMessage());
            return null;
        }
        ChainViews.Stamp was = known;
        ChainViews.Stamp now = view.stamp();
        if (was != null && now.epoch() != was.epoch()) {
            // another replica replaced the chain and emptied the namespace: start over, store nothing fetched before
            startOver();
            LOG.infof("JSON-RPC upstream '%s': another replica replaced the chain; this one starts over too", node.name());
        } else if (was != null && now.generation() != was.generation()) {
            // another replica detected a re-org and invalidated for all: store nothing fetched before
            generation.incrementAndGet();
            hashes.clear();
            LOG.debugf("JSON-RPC upstream '%s': another replica saw a re-org", node.name());
        }
        known = now;
        hashes.putAll(view.hashes());
        return view;
    }

    /** Writes what this refresh saw into the shared view when it is news; a failure only leaves it to the next refresh. */
    private void writeShared(ChainViews.ChainView view, ChainReader.Block top, long finalized) {
        ChainViews.Stamp stamp = known;
        if (view == null || stamp == null || (view.head() != null && view.head() == top.number() && view.finalized() != null
                && view.finalized() >= finalized && (top.hash() == null || top.hash().equals(view.hashes().get(top.number()))))) {
            return;
        }
        try {
            views.advance(node.name(), stamp.epoch(), top.number(), finalized, top.hash(), top.number() - REMEMBERED);
        } catch (RuntimeException e) {
            LOG.debugf("JSON-RPC upstream '%s': shared chain view not written: %s", node.name(), e.getMessage());
        }
    }

    /** A new chain: a new epoch and generation (nothing fetched before is stored), no heads, hashes or pending re-org. Under lock. */
    private void startOver() {
        epoch.incrementAndGet();
        generation.incrementAndGet();
        hashes.clear();
        heads = null;
        pendingInvalidation = null;
        sharedReorgPending = false;
    }

    private void counted() {
        metrics.reorg(node.name());
        reorgsSeen.incrementAndGet();
    }

    private void retryPendingWipe() {
        if (sharedReplacePending) {
            known = views.replace(node.name()); // before the delete: see stillCurrent
            sharedReplacePending = false;
        }
        if (wipePending) {
            long deleted = invalidations.invalidateNamespace(node.namespace());
            wipePending = false;
            LOG.infof("JSON-RPC upstream '%s': %d cached answers of the replaced chain deleted", node.name(), deleted);
        }
    }

    private void retryPendingInvalidation() {
        if (pendingInvalidation != null) {
            ChainViews.Stamp stamp = known;
            if (sharedReorgPending && stamp != null) {
                // before the delete: see stillCurrent
                ChainViews.Reorg r = views.reorg(node.name(), stamp.epoch(), stamp.generation(), pendingInvalidation);
                known = new ChainViews.Stamp(stamp.epoch(), r.generation());
                if (r.recorded()) {
                    counted(); // counted once over all replicas: by the one whose bump recorded it
                }
            }
            sharedReorgPending = false;
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
