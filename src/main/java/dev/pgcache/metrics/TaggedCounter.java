package dev.pgcache.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * One counter series, {@code <name>_total{<tag keys>}}, named and described once where it is
 * declared; each combination of tag values is registered on its first increment (Micrometer hands
 * back the same meter for the same name and tags). The callers keep the tag values bounded.
 */
public final class TaggedCounter {

    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final String[] tagKeys;

    private TaggedCounter(MeterRegistry registry, String name, String description, String[] tagKeys) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.tagKeys = tagKeys.clone();
    }

    public static TaggedCounter of(MeterRegistry registry, String name, String description, String... tagKeys) {
        return new TaggedCounter(registry, name, description, tagKeys);
    }

    /** @param tagValues one value per tag key, in the order the keys were declared */
    public void increment(String... tagValues) {
        if (tagValues.length != tagKeys.length) {
            throw new IllegalArgumentException(name + " takes " + tagKeys.length + " tag values, not " + tagValues.length);
        }
        String[] keyValues = new String[2 * tagKeys.length];
        for (int i = 0; i < tagKeys.length; i++) {
            keyValues[2 * i] = tagKeys[i];
            keyValues[2 * i + 1] = tagValues[i];
        }
        Counter.builder(name).description(description).tags(Tags.of(keyValues)).register(registry).increment();
    }
}
