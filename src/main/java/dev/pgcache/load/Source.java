package dev.pgcache.load;

/**
 * Where answers come from: a namespace's HTTP upstream ({@link HttpSource}, loaded through
 * {@link Loader}), or a JSON-RPC node (rpc.RpcClient, called by the proxy itself). Either is
 * wrapped in a {@link GuardedSource} for retries, timeouts and the circuit breaker.
 */
public interface Source {

    /**
     * What to fetch: an HTTP upstream's key, or the body of a JSON-RPC call, and whether a failed
     * attempt may be repeated (a call that sends a transaction may not: a timeout does not say it
     * was not done).
     */
    record Request(String payload, boolean repeatable, java.util.function.BooleanSupplier othersDoBetter) {

        /**
         * @param othersDoBetter asked when an answer says the source is unwell: whether another
         *                       source answers the same request without that (then the answer
         *                       is the source's fault and counts against it); null when there
         *                       is none to ask, and such an answer counts
         */
        public Request {
        }

        public Request(String payload, boolean repeatable) {
            this(payload, repeatable, null);
        }

        public static Request repeatable(String payload) {
            return new Request(payload, true);
        }

        /** The same request, with whom to ask when its answer says the source is unwell. */
        public Request comparedWith(java.util.function.BooleanSupplier others) {
            return new Request(payload, repeatable, others);
        }
    }

    /**
     * Fetches one answer, once or with the source's own retries (only for a repeatable request).
     *
     * @throws UpstreamFailure when there is no usable answer
     */
    Fetched fetch(Request request);

    /** What to name the source in logs: scheme://host[:port], never a path, query or header. */
    String origin();
}
