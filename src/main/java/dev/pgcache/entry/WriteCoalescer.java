package dev.pgcache.entry;

import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import dev.pgcache.config.PgcacheConfig;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Upserts of concurrent PUTs without a precondition, written together: up to
 * {@code pgcache.writes.max-queries} statements at once, each for up to {@code max-per-query}
 * entries ({@link StatementCoalescer}, {@link EntryStore#upsertEach}). Each PUT is still
 * answered only after its row has committed, with its own version and outcome.
 */
@ApplicationScoped
public class WriteCoalescer {

    private final EntryStore store;
    private final Function<WriteRequest, WriteOutcome> write;

    WriteCoalescer(EntryStore store, PgcacheConfig config, MeterRegistry registry, dev.pgcache.tracing.Tracing tracing) {
        this.store = store;
        this.write = StatementCoalescer.configured("write", config.writes(), registry, store::upsertEach, store::upsert, tracing);
    }

    /** Writes as {@link EntryStore#upsert} does; a write with a precondition is sent on its own. */
    public WriteOutcome upsert(WriteRequest w) {
        if (!(w.precondition() instanceof WritePrecondition.None)) {
            return store.upsert(w);
        }
        return write.apply(w);
    }
}
