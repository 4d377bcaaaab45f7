package dev.pgcache.near;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The near cache's meters, {@code pgcache_near_cache_*} (docs/operations.md): reads by result,
 * copies dropped by what the change named, reconnections of the listener, whether it listens,
 * the copies' count and bytes, the age of the last proof of coherence, the clock offset.
 * No tag carries a key or a namespace's key text.
 */
@Singleton // on the GET hit path: no client proxy between it and its callers (docs/architecture.md, "Beans")
class NearCacheMeters {

    // LongAdders read by FunctionCounters: a hit adds one, where a Counter of the composite registry
    // went through its list of registries on every read from memory
    private final LongAdder hits;
    private final LongAdder misses;
    private final LongAdder bypasses;
    private final Counter reconnects;
    private final MeterRegistry registry;
    private final AtomicInteger listening = new AtomicInteger();

    NearCacheMeters(MeterRegistry registry, NearCache near, DatabaseClock clock) {
        this.registry = registry;
        this.hits = reads(registry, "hit", "answered from memory");
        this.misses = reads(registry, "miss", "no usable copy: read from the table");
        this.bypasses = reads(registry, "bypass", "not asked: switched off for the namespace, Cache-Control: no-cache, or not coherent now");
        this.reconnects = Counter.builder("pgcache.near.cache.listener.reconnects")
                .description("Times the listening connection was lost (or never made) and made again; the near cache is emptied each time")
                .register(registry);
        Gauge.builder("pgcache.near.cache.listening", listening, AtomicInteger::get)
                .description("1 while the replica listens for changes with the change triggers enabled, else 0 (nothing is served from memory)")
                .register(registry);
        Gauge.builder("pgcache.near.cache.entries", near, NearCache::entries)
                .description("Copies held in memory").register(registry);
        Gauge.builder("pgcache.near.cache.bytes", near, NearCache::weightedBytes)
                .description("Bytes the copies are counted as (JSON text plus a fixed overhead each), bounded by pgcache.near-cache.max-bytes")
                .baseUnit("bytes").register(registry);
        Gauge.builder("pgcache.near.cache.proof.age", near, n -> n.millisSinceConfirmed() / 1000.0)
                .description("Seconds since the listener last proved it had applied every committed change; over pgcache.near-cache.max-lag nothing is served from memory")
                .baseUnit("seconds").register(registry);
        Gauge.builder("pgcache.database.clock.offset", clock, c -> c.offset().toNanos() / 1e9)
                .description("The database's clock minus this replica's, as estimated by the listener (freshness is judged on the database's clock)")
                .baseUnit("seconds").register(registry);
    }

    private static LongAdder reads(MeterRegistry registry, String result, String description) {
        LongAdder count = new LongAdder();
        FunctionCounter.builder("pgcache.near.cache.reads", count, LongAdder::doubleValue).tag("result", result)
                .description("Single-key reads that asked the near cache: " + description).register(registry);
        return count;
    }

    void hit() {
        hits.increment();
    }

    void miss() {
        misses.increment();
    }

    void bypass() {
        bypasses.increment();
    }

    void reconnect() {
        reconnects.increment();
    }

    void listening(boolean on) {
        listening.set(on ? 1 : 0);
    }

    void dropped(String scope, int count) {
        if (count > 0) {
            Counter.builder("pgcache.near.cache.drops").tag("scope", scope)
                    .description("Copies dropped because a change named them: by key, whole namespace, or everything")
                    .register(registry).increment(count);
        }
    }
}
