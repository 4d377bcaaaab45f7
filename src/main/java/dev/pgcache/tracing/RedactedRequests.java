package dev.pgcache.tracing;

import jakarta.inject.Singleton;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * Takes keys and query strings out of the HTTP server spans Quarkus makes: their path would be
 * {@code /v1/cache/<namespace>/<key>}, and a query may carry a prefix or a tag. The path keeps
 * its namespace and says {@code {key}} where the key was; the query is replaced. Quarkus adds
 * every CDI bean that is a {@link SpanProcessor} to its tracer; this one runs as each span
 * starts, before the span can be exported. Quarkus records no request header by default, so the
 * Authorization header (the API key) never reaches a span.
 */
@Singleton
public class RedactedRequests implements SpanProcessor {

    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
    static final AttributeKey<String> HTTP_TARGET = AttributeKey.stringKey("http.target");
    static final String REDACTED = "redacted";

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        redact(span, URL_PATH);
        redact(span, HTTP_TARGET);
        redact(span, URL_FULL);
        if (span.getAttribute(URL_QUERY) != null) {
            span.setAttribute(URL_QUERY, REDACTED);
        }
    }

    private static void redact(ReadWriteSpan span, AttributeKey<String> key) {
        String value = span.getAttribute(key);
        if (value != null) {
            span.setAttribute(key, path(value));
        }
    }

    /**
     * The path without what a caller chose beyond the namespace: {@code /v1/cache/ns/k/touch} →
     * {@code /v1/cache/ns/{key}/touch}; no query. Other paths keep their segments (they name
     * routes, an RPC upstream or a namespace, never a key).
     */
    static String path(String target) {
        int scheme = target.indexOf("://");
        String prefix = "";
        String rest = target;
        if (scheme >= 0) {
            int slash = target.indexOf('/', scheme + 3);
            prefix = slash < 0 ? target : target.substring(0, slash);
            rest = slash < 0 ? "" : target.substring(slash);
        }
        int query = rest.indexOf('?');
        if (query >= 0) {
            rest = rest.substring(0, query);
        }
        String[] segments = rest.split("/", -1);
        // "", "v1", "cache", namespace, key, [touch]
        if (segments.length >= 5 && segments[1].equals("v1") && segments[2].equals("cache")) {
            if (segments.length == 5 && (segments[4].equals("batch-get") || segments[4].equals("batch-put"))) {
                return prefix + rest; // a route of the namespace, not a key
            }
            StringBuilder b = new StringBuilder("/v1/cache/").append(segments[3]).append("/{key}");
            if (segments.length == 6 && segments[5].equals("touch")) {
                b.append("/touch");
            }
            return prefix + b;
        }
        return prefix + rest;
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }
}
