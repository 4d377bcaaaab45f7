package dev.pgcache.near;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;

/**
 * This replica's copies of entries, and the rules that keep them no staler than the bound.
 *
 * <p><b>Copies</b> live in a Caffeine cache (W-TinyLFU admission, bounded by the bytes of their
 * JSON text plus a fixed overhead). A copy is made only of what a read found in the table.
 *
 * <p><b>Drops</b> come from PostgreSQL's notifications ({@link ChangeListener}) and from this
 * replica's own writes ({@link LocalChanges}). A drop could race with a read that began before
 * the change and offers its older copy after the drop: so every drop first stamps what it drops
 * (the key's stripe, the namespace's stripe, or everything) with a new number of one sequence,
 * and a read takes the current number before it asks the table; its copy goes in only if nothing
 * it covers was stamped since ({@link #offer}, atomic with the drop of the same key because both
 * run on the key's slot of the map; a drop of a namespace or of everything walks the map instead,
 * so the read checks again once its copy is in, and takes it out if a stamp came meanwhile).
 * Stripes make the stamps a fixed-size array: two keys in one stripe only cost a copy not made.
 *
 * <p><b>Serving</b> needs a listening connection and a recent proof that every change committed
 * before it has been applied (the listener's heartbeat, {@link #confirm}); past
 * {@code pgcache.near-cache.max-lag} without one, reads go to the table.
 */
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
public class NearCache {

    /** Bytes counted per copy besides its texts: the entry record, its instants, the id and the map's node. */
    static final int OVERHEAD_BYTES = 200;
    private static final int KEY_STRIPES = 1 << 14;
    private static final int NAMESPACE_STRIPES = 1 << 8;

    private final boolean enabled;
    private final long maxEntryChars;
    private final long maxLagNanos;
    private final Cache<EntryId, Copy> copies;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLongArray keyStamps = new AtomicLongArray(KEY_STRIPES);
    private final AtomicLongArray namespaceStamps = new AtomicLongArray(NAMESPACE_STRIPES);
    private volatile long allStamp;
    private volatile boolean listening;
    private volatile long confirmedAtNanos;

    @Inject
    NearCache(PgcacheConfig config) {
        this(config.nearCache().enabled(), config.nearCache().maxBytes().asLongValue(), config.nearCache().maxEntryBytes().asLongValue(),
                config.nearCache().maxLag());
    }

    NearCache(boolean enabled, long maxBytes, long maxEntryChars, Duration maxLag) {
        this.enabled = enabled;
        this.maxEntryChars = maxEntryChars;
        this.maxLagNanos = maxLag.toNanos();
        this.copies = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((EntryId id, Copy c) -> weight(id, c.entry()))
                .executor(Runnable::run) // maintenance on the caller's thread: no pool thread per eviction
                .build();
    }

    /** Bytes a copy takes on the heap, roughly: Java keeps a text of Latin-1 characters in one byte each, any other in two. */
    static int weight(EntryId id, Entry e) {
        return (int) Math.min(Integer.MAX_VALUE, heapBytes(e.json()) + heapBytes(id.key()) + OVERHEAD_BYTES);
    }

    private static long heapBytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return 2L * s.length();
            }
        }
        return s.length();
    }

    boolean enabled() {
        return enabled;
    }

    /** Whether copies may be answered now: listening, and the last proof of having seen every change is recent enough. */
    boolean serving() {
        return listening && System.nanoTime() - confirmedAtNanos <= maxLagNanos;
    }

    /** A copy, and the stamp of the read that found it in the table. */
    private record Copy(Entry entry, long stamp) {
    }

    /**
     * The copy under the id, or null; the caller checks {@link #serving()} first. A copy whose key
     * was dropped after its read began is never answered, even in the moment before its own read
     * takes it out again ({@link #offer}): a writer answered after the drop must not see it.
     */
    Entry copyOf(EntryId id) {
        Copy c = copies.getIfPresent(id);
        if (c == null) {
            return null;
        }
        if (droppedSince(id, c.stamp())) {
            copies.asMap().remove(id, c);
            return null;
        }
        return c.entry();
    }

    /** The number a read takes before it asks the table, to offer what it found afterwards. */
    long stamp() {
        return sequence.get();
    }

    /** Keeps a copy of what a read found, unless it is too large or something it covers was dropped since {@code stamp}. */
    void offer(EntryId id, Entry found, long stamp) {
        if (!listening || found.json().length() > maxEntryChars) {
            return;
        }
        Copy copy = new Copy(found, stamp);
        copies.asMap().compute(id, (k, old) -> droppedSince(id, stamp) ? old : copy);
        // A drop of a namespace or of everything walks the map, and the walk may pass this key's
        // slot after the check above and before the copy is linked in. The drop stamped before its
        // walk, so checking again now sees that stamp, and the copy goes (NearCacheStampsTest);
        // until it does, copyOf refuses it by the same stamps.
        if (droppedSince(id, stamp)) {
            copies.asMap().remove(id, copy);
        }
    }

    private boolean droppedSince(EntryId id, long stamp) {
        return allStamp > stamp
                || keyStamps.get(keyStripe(id)) > stamp
                || namespaceStamps.get(namespaceStripe(id.namespace())) > stamp;
    }

    /** Removes a copy that has outlived its stale window; no stamp, since it cannot come back from a read. */
    void forget(EntryId id, Entry copy) {
        copies.asMap().computeIfPresent(id, (k, c) -> c.entry() == copy ? null : c);
    }

    void dropKey(EntryId id) {
        long s = sequence.incrementAndGet();
        keyStamps.accumulateAndGet(keyStripe(id), s, Math::max);
        copies.invalidate(id);
    }

    void dropNamespace(String namespace) {
        long s = sequence.incrementAndGet();
        namespaceStamps.accumulateAndGet(namespaceStripe(namespace), s, Math::max);
        copies.asMap().keySet().removeIf(id -> id.namespace().equals(namespace));
    }

    void dropAll() {
        allStamp = sequence.incrementAndGet();
        copies.invalidateAll();
    }

    /** The listener is connected and hears every change from now on; copies are made again (none is served before {@link #confirm}). */
    void listening() {
        dropAll();
        confirmedAtNanos = System.nanoTime(); // nothing kept: trivially no change missed
        listening = true;
    }

    /** The listener lost its connection (or cannot trust it): nothing is served from memory, and nothing kept. */
    void deaf() {
        listening = false;
        dropAll();
    }

    /** Every change committed before {@code sentAtNanos} (System.nanoTime) has been applied. */
    void confirm(long sentAtNanos) {
        if (sentAtNanos - confirmedAtNanos > 0) {
            confirmedAtNanos = sentAtNanos;
        }
    }

    /** Whether a proof came for a heartbeat sent after {@code nanos} (System.nanoTime). */
    boolean confirmedSince(long nanos) {
        return confirmedAtNanos - nanos > 0;
    }

    /** Milliseconds since the last proof, for the health check and metrics. */
    long millisSinceConfirmed() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - confirmedAtNanos);
    }

    long entries() {
        return copies.estimatedSize();
    }

    long weightedBytes() {
        return copies.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    private static int keyStripe(EntryId id) {
        return (id.namespace().hashCode() * 31 + id.key().hashCode()) & (KEY_STRIPES - 1);
    }

    private static int namespaceStripe(String namespace) {
        return namespace.hashCode() & (NAMESPACE_STRIPES - 1);
    }
}
