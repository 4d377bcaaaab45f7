package dev.pgcache.entry;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.pgcache.config.CoalescingConfig;
import dev.pgcache.config.PgcacheConfig;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Single-key reads of concurrent GETs, answered together: up to {@code pgcache.reads.max-queries}
 * statements at once, each for up to {@code max-per-query} keys ({@link StatementCoalescer}).
 */
@ApplicationScoped
public class ReadCoalescer {

    private final EntryStore store;
    private final StatementCoalescer<EntryId, Optional<Entry>> coalescer;

    ReadCoalescer(EntryStore store, PgcacheConfig config, MeterRegistry registry) {
        this.store = store;
        CoalescingConfig reads = config.reads();
        this.coalescer = reads.maxQueries() > 0
                ? new StatementCoalescer<>("pgcache-reads", reads.maxQueries(), reads.maxPerQuery(), store::getEach, store::get,
                        StatementCoalescer.sizesMetric(registry, "read")::record)
                : null;
    }

    /** The live entry under the id, as {@link EntryStore#get} answers it. */
    public Optional<Entry> get(EntryId id) {
        return coalescer == null ? store.get(id) : coalescer.submit(id);
    }
}
