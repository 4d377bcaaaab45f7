package dev.pgcache.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * One gauge series with one tag, {@code <name>{<tag key>=…}}: a value per tag value, registered
 * the first time it is set and read by Micrometer from then on. The callers keep the tag values
 * bounded (namespaces or upstreams from config).
 */
public final class TaggedGauge {

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final String tagKey;
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

    private TaggedGauge(MeterRegistry registry, String name, String description, String tagKey) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.tagKey = tagKey;
    }

    public static TaggedGauge of(MeterRegistry registry, String name, String description, String tagKey) {
        return new TaggedGauge(registry, name, description, tagKey);
    }

    public void set(String tagValue, long value) {
        values.computeIfAbsent(tagValue, t -> {
            AtomicLong v = new AtomicLong(value);
            Gauge.builder(name, v, AtomicLong::get).description(description).tag(tagKey, t).register(registry);
            return v;
        }).set(value);
    }
}
