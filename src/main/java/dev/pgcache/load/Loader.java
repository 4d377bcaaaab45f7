package dev.pgcache.load;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.pgcache.config.EnumText;
import dev.pgcache.config.PgcacheConfig;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.EntryId;
import dev.pgcache.entry.EntryStore;
import dev.pgcache.entry.Freshness;
import dev.pgcache.entry.Lifetime;
import dev.pgcache.entry.LoadLocks;
import dev.pgcache.entry.NamespacePolicies;
import dev.pgcache.entry.StoreUnavailableException;
import dev.pgcache.entry.WriteOutcome;
import dev.pgcache.entry.WriteRequest;
import dev.pgcache.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;

/**
 * Loads one key from its namespace's source and stores it, once however many ask.
 *
 * <p>Design, from the inside out:
 * <ol>
 * <li>In this replica, {@link SingleFlight} lets one load per key run; everyone else asking
 * meanwhile waits on its future, in memory.</li>
 * <li>Loads run on a small pool ({@code pgcache.load.max-concurrent} threads, below the
 * connection pool's size) with a bounded queue, so the database connections loads hold can
 * never starve plain reads, and request threads never hold one while they wait.</li>
 * <li>Across replicas, a load first takes the key's advisory lock
 * ({@link LoadLocks#underLoadLock}) and reads the key again under it: if another replica has
 * stored a newer fresh value meanwhile, that is the answer and the upstream is not called.
 * If the lock is taken, the load does not queue on the database: it gives the connection back,
 * polls the table with backoff ({@link LockWait}) until the other replica's value appears or
 * the lock is free, and gives up with a 504 at the namespace's wait-timeout, never starting a
 * second call while the first may still succeed. A lock is tried in one of the replica's
 * {@link LoadSlots}, shared with the JSON-RPC proxy, so the connections held across upstream
 * calls stay within {@code pgcache.load.max-concurrent}.</li>
 * <li>The source's call (retries, circuit breaker) runs while the lock is held; the value is
 * written with the one upsert statement and read back on the same connection.</li>
 * </ol>
 * Failures are never stored. An upstream 404 is stored as a negative entry when the namespace
 * says so, and replaces a stale value either way, since the source has said it no longer has one.
 */
@ApplicationScoped
public class Loader {

    private static final Logger LOG = Logger.getLogger(Loader.class);

    /** The value of a negative entry: what the upstream answered, for a DBA reading the row. */
    static final String NEGATIVE_VALUE = "{\"upstreamStatus\": 404}";

    private final EntryStore store;
    private final LoadLocks locks;
    private final LoadSlots slots;
    private final NamespacePolicies policies;
    private final LoadMetrics metrics;
    private final Duration maxTtl;
    private final ThreadPoolExecutor executor;
    private final SingleFlight<EntryId, Loaded> flights = new SingleFlight<>();
    private final Tracing tracing;

    /** On the span of the request that asked for a load: whether it joined one already in flight here. */
    static final AttributeKey<Boolean> JOINED = AttributeKey.booleanKey("pgcache.load.joined");

    Loader(EntryStore store, LoadLocks locks, LoadSlots slots, NamespacePolicies policies, LoadMetrics metrics, PgcacheConfig config,
            Tracing tracing) {
        this.store = store;
        this.slots = slots;
        this.tracing = tracing;
        this.locks = locks;
        this.policies = policies;
        this.metrics = metrics;
        this.maxTtl = config.limits().maxTtl();
        int threads = Math.max(1, config.load().maxConcurrent());
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(Math.max(1, config.load().maxQueued())), new Named("pgcache-load-"));
        this.executor.allowCoreThreadTimeOut(true);
    }

    /**
     * The load of the key: the one in flight in this replica, or a new one.
     *
     * @param seenVersion the version of the entry the caller saw (null: none); only a fresh entry
     *                    with a higher version, stored by someone else meanwhile, stands in for a new load
     */
    public CompletableFuture<Loaded> load(Upstream upstream, EntryId id, Long seenVersion, LoadMetrics.Trigger trigger) {
        SingleFlight.Flight<Loaded> flight = flights.join(id, shared -> {
            try {
                executor.execute(tracing.carry(() -> run(upstream, id, seenVersion, trigger, shared)));
            } catch (RejectedExecutionException e) {
                metrics.error(id.namespace(), "overloaded");
                shared.completeExceptionally(LoadFailure.overloaded(id.namespace()));
            }
        });
        if (tracing.on()) {
            Span.current().setAttribute(JOINED, !flight.started());
        }
        if (!flight.started()) {
            if (trigger == LoadMetrics.Trigger.FOREGROUND) {
                metrics.coalesced(id.namespace());
            } else {
                metrics.refreshSkipped(id.namespace());
            }
        }
        return flight.result();
    }

    /** Loads in flight in this replica now. */
    public int inFlight() {
        return flights.size();
    }

    private void run(Upstream upstream, EntryId id, Long seenVersion, LoadMetrics.Trigger trigger, CompletableFuture<Loaded> shared) {
        String ns = id.namespace();
        try {
            Loaded loaded = tracing.inSpan("pgcache.load", ns, () -> loadUnderLock(upstream, id, seenVersion));
            metrics.load(ns, trigger, loaded.byOthers() ? "reused" : loaded.notFound() ? "not_found" : "loaded");
            shared.complete(loaded);
        } catch (UpstreamFailure e) {
            fail(ns, trigger, EnumText.of(e.kind()), e.getMessage());
            shared.completeExceptionally(e);
        } catch (LoadFailure e) {
            fail(ns, trigger, e.slug().equals("upstream-wait-timeout") ? "wait_timeout" : e.slug(), e.getMessage());
            shared.completeExceptionally(e);
        } catch (StoreUnavailableException e) {
            // an outage, reported by every request too: one line, no stack trace
            fail(ns, trigger, "database_unavailable", e.getMessage());
            shared.completeExceptionally(e);
        } catch (Throwable e) {
            metrics.load(ns, trigger, "failed");
            LOG.warnf(e, "%s load in namespace '%s' failed", trigger.tag(), ns);
            shared.completeExceptionally(e);
        }
    }

    private void fail(String ns, LoadMetrics.Trigger trigger, String kind, String detail) {
        metrics.load(ns, trigger, "failed");
        metrics.error(ns, kind);
        // the detail names namespace, origin and kind of failure; never the key, a header or a URL path
        LOG.warnf("%s load in namespace '%s' failed: %s", trigger.tag(), ns, detail);
    }

    private Loaded loadUnderLock(Upstream upstream, EntryId id, Long seenVersion) {
        LockWait wait = new LockWait(upstream.waitTimeout());
        boolean counted = false;
        while (true) {
            Optional<Loaded> done = underSlot(upstream, id, () -> locks.underLoadLock(id, locked -> {
                Optional<Entry> current = locked.get();
                if (current.isPresent() && answers(current.get(), seenVersion)) {
                    return new Loaded(current.get(), true);
                }
                return fetchAndStore(upstream, id, locked, current.isPresent());
            }));
            if (done.isPresent()) {
                return done.get();
            }
            if (!counted) {
                metrics.lockBusy(id.namespace());
                counted = true;
            }
            if (!pause(wait)) {
                throw LoadFailure.waitTimeout(id.namespace(), upstream.waitTimeout());
            }
            Optional<Entry> now = store.get(id);
            if (now.isPresent() && answers(now.get(), seenVersion)) {
                return new Loaded(now.get(), true);
            }
            if (wait.expired()) {
                // the asker has had its 504 by now: no lock is tried, and no upstream called, after it
                throw LoadFailure.waitTimeout(id.namespace(), upstream.waitTimeout());
            }
        }
    }

    /**
     * Runs a try of the load lock in one of the replica's {@link LoadSlots} (shared with the
     * JSON-RPC proxy), waiting for one at most the upstream's wait-timeout.
     */
    private <T> T underSlot(Upstream upstream, EntryId id, Supplier<T> work) {
        try {
            if (!slots.take(upstream.waitTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw LoadFailure.waitTimeout(id.namespace(), upstream.waitTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted();
        }
        try {
            return work.get();
        } finally {
            slots.release();
        }
    }

    /** Whether a stored entry answers the load: fresh, and newer than what the asker saw. */
    private static boolean answers(Entry e, Long seenVersion) {
        return e.freshness() == Freshness.FRESH && (seenVersion == null || e.version() > seenVersion);
    }

    private Loaded fetchAndStore(Upstream upstream, EntryId id, LoadLocks.LockedEntry locked, boolean hadEntry) {
        Fetched fetched = upstream.source().fetch(Source.Request.repeatable(id.key()));
        if (fetched instanceof Fetched.Value v) {
            WriteOutcome written = locked.upsert(new WriteRequest(id, v.json(), v.sizeBytes(), lifetimeOf(upstream, v), List.of(), null));
            return new Loaded(readBack(locked, written, v.json(), false), false);
        }
        Duration negativeTtl = upstream.negativeTtl();
        if (negativeTtl.isZero() && !hadEntry) {
            return new Loaded(null, false);
        }
        // remembered for negative-ttl, or, with none, written already expired: either way the stale value stops being served
        WriteOutcome written = locked.upsert(new WriteRequest(id, NEGATIVE_VALUE, NEGATIVE_VALUE.length(),
                new Lifetime(Optional.of(negativeTtl), Duration.ZERO), List.of(EntryStore.NEGATIVE_TAG), null));
        return new Loaded(negativeTtl.isZero() ? null : readBack(locked, written, NEGATIVE_VALUE, true), false);
    }

    private Lifetime lifetimeOf(Upstream upstream, Fetched.Value v) {
        Lifetime policy = policies.policyFor(upstream.namespace()).lifetime();
        if (!upstream.honorMaxAge() || v.originMaxAge() == null) {
            return policy;
        }
        Duration ttl = v.originMaxAge().compareTo(maxTtl) > 0 ? maxTtl : v.originMaxAge();
        return new Lifetime(Optional.of(ttl), policy.stale());
    }

    /** The entry as stored, read on the lock's connection; built from the write when it is gone already (a TTL of 0). */
    private static Entry readBack(LoadLocks.LockedEntry locked, WriteOutcome outcome, String json, boolean negative) {
        Optional<Entry> stored = locked.get();
        if (stored.isPresent()) {
            return stored.get();
        }
        if (outcome instanceof WriteOutcome.Written w) {
            return new Entry(json, w.result().version(), null, w.result().writtenAt(), w.result().expiresAt(),
                    w.result().staleUntil(), w.result().writtenAt(), negative);
        }
        throw new IllegalStateException("a load's write without revision or precondition was refused: " + outcome);
    }

    private static boolean pause(LockWait wait) {
        try {
            return wait.pause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted();
        }
    }

    private static UpstreamFailure interrupted() {
        return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, "the load was interrupted while another replica loaded the key");
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    private static final class Named implements ThreadFactory {
        private final String prefix;
        private final AtomicInteger next = new AtomicInteger();

        Named(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, prefix + next.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }
}
