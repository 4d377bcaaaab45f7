package dev.pgcache.load;

import java.time.Duration;

/**
 * A namespace's source together with what read-through needs to know about it.
 *
 * @param honorMaxAge the source's own freshness (when it gives one) sets the TTL
 * @param negativeTtl how long "not found" is remembered; zero: not remembered
 * @param waitTimeout longest wait for a load, in this replica or another, before giving up
 */
public record Upstream(String namespace, Source source, boolean honorMaxAge, Duration negativeTtl, Duration waitTimeout) {
}
