package dev.pgcache.entry;

import java.util.Optional;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import dev.pgcache.config.PgcacheConfig;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Single-key reads of concurrent GETs, answered together: up to {@code pgcache.reads.max-queries}
 * statements at once, each for up to {@code max-per-query} keys ({@link StatementCoalescer}).
 */
@ApplicationScoped
public class ReadCoalescer {

    private final Function<EntryId, Optional<Entry>> read;

    ReadCoalescer(EntryStore store, PgcacheConfig config, MeterRegistry registry, dev.pgcache.tracing.Tracing tracing) {
        this.read = StatementCoalescer.configured("read", config.reads(), registry, store::getEach, store::get, tracing);
    }

    /** The live entry under the id, as {@link EntryStore#get} answers it. */
    public Optional<Entry> get(EntryId id) {
        return read.apply(id);
    }
}
