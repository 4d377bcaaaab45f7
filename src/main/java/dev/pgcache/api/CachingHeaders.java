package dev.pgcache.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import dev.pgcache.protocol.CacheStatus;
import dev.pgcache.entry.Entry;
import dev.pgcache.entry.Freshness;

/**
 * The HTTP caching headers of a cached value (RFC 9111, RFC 9110). {@code Age} counts from when
 * the value was fetched and {@code max-age} is its whole freshness lifetime, so a downstream
 * cache computes the seconds left as max-age − Age, exactly as pgcache does.
 */
final class CachingHeaders {

    /** What "never expires" becomes on the wire: one year, the conventional maximum (RFC 9111 §5.2.2.1). */
    static final long NEVER_EXPIRES_MAX_AGE = 31_536_000L;

    static final String X_REVISION = "X-Revision";

    private CachingHeaders() {
    }

    static EntityTag etag(long version) {
        return new EntityTag(Long.toString(version));
    }

    static Response.ResponseBuilder apply(Response.ResponseBuilder r, Entry e) {
        return apply(r, e, xCache(e));
    }

    /** The same headers with the X-Cache a read-through decided (MISS when the value was just loaded). */
    static Response.ResponseBuilder apply(Response.ResponseBuilder r, Entry e, CacheStatus xCache) {
        of(e, xCache).forEach(r::header);
        return r;
    }

    /** The headers by name, in the order they are sent. */
    static Map<String, String> of(Entry e, CacheStatus xCache) {
        Map<String, String> headers = new LinkedHashMap<>();
        emit(e, xCache, (name, value) -> headers.put(name.text, value));
        return headers;
    }

    /** A caching header's name, in the order they are sent. */
    enum Name {
        ETAG(HttpHeaders.ETAG),
        CACHE_CONTROL(HttpHeaders.CACHE_CONTROL),
        AGE("Age"),
        X_CACHE(CacheStatus.HEADER),
        CACHE_STATUS(CacheStatus.RFC_HEADER),
        X_REVISION(CachingHeaders.X_REVISION);

        final String text;

        Name(String text) {
            this.text = text;
        }
    }

    /** Receives the headers one by one. */
    interface Sink {
        void header(Name name, String value);
    }

    /**
     * The headers in the order they are sent, to a sink: the one list of them, for JAX-RS ({@link #of})
     * and for answers written on Vert.x directly ({@link CacheGetRoute}), which puts them without a map.
     */
    static void emit(Entry e, CacheStatus xCache, Sink sink) {
        sink.header(Name.ETAG, "\"" + e.version() + "\""); // a strong tag: the version, quoted
        sink.header(Name.CACHE_CONTROL, cacheControl(e));
        sink.header(Name.AGE, Long.toString(e.ageSeconds()));
        sink.header(Name.X_CACHE, xCache.value());
        sink.header(Name.CACHE_STATUS, cacheStatus(e, xCache));
        if (e.revision() != null) {
            sink.header(Name.X_REVISION, Long.toString(e.revision()));
        }
    }

    /**
     * The Cache-Status value (RFC 9211): {@code hit} with the seconds of freshness left as
     * {@code ttl} (negative past expiry: a stale answer; absent when it never expires) and where the copy came from as
     * {@code detail}; a value just loaded from the upstream is {@code fwd=miss; stored}.
     */
    static String cacheStatus(Entry e, CacheStatus xCache) {
        String where = e.source() == Entry.Source.MEMORY ? "memory" : "table";
        if (xCache == CacheStatus.MISS) {
            return "pgcache; fwd=miss; stored";
        }
        if (e.expiresAt() == null) {
            return "pgcache; hit; detail=" + where;
        }
        // whole seconds rounded down, so that any stale answer has a negative ttl, as RFC 9211 §2.4 says
        long ttl = Math.floorDiv(Duration.between(e.readAt(), e.expiresAt()).toMillis(), 1000);
        return "pgcache; hit; ttl=" + ttl + "; detail=" + where;
    }

    static CacheStatus xCache(Entry e) {
        return e.freshness() == Freshness.FRESH ? CacheStatus.HIT : CacheStatus.STALE;
    }

    static String cacheControl(Entry e) {
        Long lifetime = e.freshnessLifetimeSeconds();
        StringBuilder cc = new StringBuilder("max-age=").append(lifetime == null ? NEVER_EXPIRES_MAX_AGE : lifetime);
        if (e.staleWindowSeconds() > 0) {
            cc.append(", stale-while-revalidate=").append(e.staleWindowSeconds())
                    .append(", stale-if-error=").append(e.staleWindowSeconds());
        }
        return cc.toString();
    }
}
