package dev.pgcache.load;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.pgcache.protocol.CacheStatus;
import dev.pgcache.entry.EntryId;
import dev.pgcache.protocol.Problem;
import dev.pgcache.protocol.ProblemException;

/**
 * Ends a read-through GET with a problem: an upstream failure (502/504), a wait that ran out
 * (504), a miss under only-if-cached (504), too many loads queued (503), or the upstream's
 * "not found" (404): a {@link ProblemException} like every other refusal, with these headers; the detail
 * never holds a header value or an upstream's error text.
 */
public class LoadFailure extends ProblemException {

    LoadFailure(int status, String slug, String title, String detail, Map<String, String> headers) {
        super(Problem.of(status, slug, title, detail), Map.copyOf(headers));
    }

    public int status() {
        return problem().status();
    }

    static LoadFailure of(UpstreamFailure f) {
        return switch (f.kind()) {
            case TIMEOUT -> new LoadFailure(504, "upstream-timeout", "Gateway timeout", f.getMessage(), miss());
            case CIRCUIT_OPEN -> {
                Map<String, String> h = new LinkedHashMap<>(miss());
                h.put("Retry-After", Long.toString(Math.max(1, (f.retryAfter().toMillis() + 999) / 1000)));
                yield new LoadFailure(502, "upstream-circuit-open", "Bad gateway", f.getMessage(), h);
            }
            case BAD_ANSWER -> new LoadFailure(502, "upstream-invalid-answer", "Bad gateway", f.getMessage(), miss());
            default -> new LoadFailure(502, "upstream-error", "Bad gateway", f.getMessage(), miss());
        };
    }

    static LoadFailure waitTimeout(String namespace, Duration waited) {
        return new LoadFailure(504, "upstream-wait-timeout", "Gateway timeout", "waited " + waited.toMillis()
                + " ms for the load of this key from the upstream of namespace '" + namespace
                + "', which is still in progress (pgcache.namespaces." + namespace + ".upstream.wait-timeout); retry later", miss());
    }

    static LoadFailure notCached(EntryId id) {
        return new LoadFailure(504, "not-cached", "Gateway timeout", "no usable entry for key '" + id.key() + "' in namespace '"
                + id.namespace() + "', and Cache-Control: only-if-cached forbids loading it from the upstream", miss());
    }

    static LoadFailure overloaded(String namespace) {
        Map<String, String> h = new LinkedHashMap<>(miss());
        h.put("Retry-After", "1");
        return new LoadFailure(503, "load-overloaded", "Service unavailable", "too many loads are queued in this replica "
                + "(pgcache.load.max-queued); the key of namespace '" + namespace + "' was not loaded, retry later", h);
    }

    static LoadFailure notFound(EntryId id, CacheStatus xCache, Map<String, String> extraHeaders) {
        Map<String, String> h = new LinkedHashMap<>(extraHeaders);
        h.put(CacheStatus.HEADER, xCache.value());
        return new LoadFailure(404, "upstream-not-found", "Not found", "the upstream of namespace '" + id.namespace()
                + "' has no value for key '" + id.key() + "' (it answered 404)", h);
    }

    static LoadFailure belowMinRevision(EntryId id, long minRevision) {
        return new LoadFailure(404, "cache-miss", "Not found", "no live entry for key '" + id.key() + "' in namespace '"
                + id.namespace() + "' with revision " + minRevision + " or higher (values loaded from an upstream carry no revision)",
                miss());
    }

    private static Map<String, String> miss() {
        return Map.of(CacheStatus.HEADER, CacheStatus.MISS.value());
    }
}
