package dev.pgcache.metrics;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.pgcache.entry.MaintenanceStore;
import dev.pgcache.entry.NamespaceSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;

/**
 * Gauges of what the table holds, per namespace: {@code pgcache_table_rows},
 * {@code pgcache_table_gone_rows}, {@code pgcache_table_bytes}, and the table's size on disk
 * {@code pgcache_table_disk_bytes}. A scrape reads the last values; only the timer
 * ({@code pgcache.table-stats.refresh-interval}) queries the database, because cache_summary
 * scans the whole table and a scrape must never cost that. A namespace that no longer has rows
 * reads 0.
 */
@ApplicationScoped
public class TableStats {

    private static final Logger LOG = Logger.getLogger(TableStats.class);

    private record NamespaceGauges(AtomicLong rows, AtomicLong gone, AtomicLong bytes) {
    }

    private final MaintenanceStore store;
    private final MeterRegistry registry;
    private final Map<String, NamespaceGauges> byNamespace = new ConcurrentHashMap<>();
    private final AtomicLong diskBytes = new AtomicLong();
    private final AtomicLong refreshedAtEpochSecond = new AtomicLong();

    TableStats(MaintenanceStore store, MeterRegistry registry) {
        this.store = store;
        this.registry = registry;
        Gauge.builder("pgcache.table.disk.bytes", diskBytes, AtomicLong::get)
                .description("Space cache_entry takes on disk with its indexes and TOAST, dead rows included (pg_total_relation_size)")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("pgcache.table.stats.refreshed", refreshedAtEpochSecond, AtomicLong::get)
                .description("When the pgcache_table_* gauges were last read from the database, in seconds since the epoch (0: never)")
                .register(registry);
    }

    @Scheduled(identity = "pgcache-table-stats", every = "${pgcache.table-stats.refresh-interval}",
            concurrentExecution = ConcurrentExecution.SKIP, skipExecutionIf = TableStatsDisabled.class)
    void scheduled() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warnf("table stats not refreshed, the gauges keep their last values: %s", e.getMessage());
        }
    }

    /** Reads cache_summary and the table's size now, in this thread. */
    public void refresh() {
        Set<String> seen = new HashSet<>();
        for (NamespaceSummary s : store.summary()) {
            NamespaceGauges g = byNamespace.computeIfAbsent(s.namespace(), this::register);
            g.rows().set(s.entries());
            g.gone().set(s.gone());
            g.bytes().set(s.totalBytes());
            seen.add(s.namespace());
        }
        byNamespace.forEach((ns, g) -> {
            if (!seen.contains(ns)) {
                g.rows().set(0);
                g.gone().set(0);
                g.bytes().set(0);
            }
        });
        diskBytes.set(store.tableSizeBytes());
        refreshedAtEpochSecond.set(System.currentTimeMillis() / 1000);
    }

    /**
     * What the namespace held at the last refresh: rows and bytes (sum of size_bytes); empty
     * before the first refresh, zeros for a namespace without rows then.
     */
    public Optional<Held> held(String namespace) {
        if (refreshedAtEpochSecond.get() == 0) {
            return Optional.empty();
        }
        NamespaceGauges g = byNamespace.get(namespace);
        return Optional.of(g == null ? new Held(0, 0) : new Held(g.rows().get(), g.bytes().get()));
    }

    /** Rows and bytes of one namespace as last read. */
    public record Held(long rows, long bytes) {
    }

    private NamespaceGauges register(String namespace) {
        NamespaceGauges g = new NamespaceGauges(new AtomicLong(), new AtomicLong(), new AtomicLong());
        Gauge.builder("pgcache.table.rows", g.rows(), AtomicLong::get)
                .description("Rows of the namespace in cache_entry, whatever their state (cache_summary.entries)")
                .tag("namespace", namespace).register(registry);
        Gauge.builder("pgcache.table.gone.rows", g.gone(), AtomicLong::get)
                .description("Rows of the namespace past their stale window, waiting for purge (cache_summary.gone)")
                .tag("namespace", namespace).register(registry);
        Gauge.builder("pgcache.table.bytes", g.bytes(), AtomicLong::get)
                .description("Sum of size_bytes of the namespace: its JSON values as written (cache_summary.total_bytes)")
                .baseUnit("bytes")
                .tag("namespace", namespace).register(registry);
        return g;
    }
}
