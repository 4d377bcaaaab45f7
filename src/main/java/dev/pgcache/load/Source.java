package dev.pgcache.load;

/**
 * Where a namespace's values come from. The HTTP upstream is one; a JSON-RPC node can be
 * another, and then gets single-flight, stale-while-revalidate and fault tolerance from
 * {@link Loader} the same way.
 */
public interface Source {

    /**
     * Fetches the value of one key, once or with the source's own retries.
     *
     * @throws UpstreamFailure when there is no usable answer
     */
    Fetched fetch(String key);

    /** What to name the source in logs: scheme://host[:port], never a path, query or header. */
    String origin();
}
