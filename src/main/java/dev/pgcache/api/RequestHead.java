package dev.pgcache.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.vertx.core.http.HttpServerRequest;

import dev.pgcache.protocol.ProblemException;

/**
 * The request head's own limits and syntax, checked by the {@link FrontDoor} so that every
 * refusal is a problem+json that says what was wrong.
 *
 * <p>Why here and not in the HTTP decoder: Vert.x answers what its decoder refuses (a request line
 * or headers over its limits, a target {@code java.net.URI} cannot read) with a bare 414, 431 or
 * 400 before any handler runs, and Quarkus 3.34 offers no hook for those answers
 * ({@code HttpServer#invalidRequestHandler} is never set and the server is not reachable). So the
 * decoder's limits sit above these ({@code quarkus.http.limits.max-initial-line-length} 16 KiB,
 * {@code max-header-size} 32 KiB), Quarkus' own URI check is turned off
 * ({@code -Dvertx.disableURIValidation=true}) and done here instead, before anything else reads the
 * target. A head beyond the decoder's larger limits, or one it cannot read, is answered by
 * {@link HeadGuard} (docs/security.md).
 */
final class RequestHead {

    /** The longest request line pgcache reads: method, target and version. */
    static final int MAX_REQUEST_LINE = 4096;
    /** All header lines together, each counted as {@code name: value}. */
    static final int MAX_HEADER_BYTES = 20 * 1024;
    /** The HTTP decoder's limits (application.properties); beyond them it answers bare. */
    static final int DECODER_MAX_REQUEST_LINE = 16 * 1024;
    static final int DECODER_MAX_HEADER_BYTES = 32 * 1024;

    private RequestHead() {
    }

    /** @throws ProblemException 431 naming the size and the limit */
    static void checkHeaderSize(HttpServerRequest request) {
        long bytes = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            bytes += h.getKey().length() + 2 + h.getValue().length();
        }
        if (bytes > MAX_HEADER_BYTES) {
            throw new ProblemException(431, "headers-too-large", "Request Header Fields Too Large", "the request's headers are "
                    + bytes + " bytes (" + request.headers().size() + " headers); the limit is " + MAX_HEADER_BYTES + " bytes for all of them");
        }
    }

    /**
     * The query and the target as a whole must be what {@code java.net.URI} reads (the check Quarkus
     * would have made before routing); the path's own spelling is {@link RequestTarget}'s.
     *
     * @throws ProblemException 400 invalid-target that names the character
     */
    static void checkSyntax(String uri) {
        if (plainPath(uri)) {
            return; // what nearly every request sends, and java.net.URI reads every such target: no parse needed
        }
        int q = uri.indexOf('?');
        if (q >= 0) {
            for (int i = q + 1; i < uri.length(); i++) {
                char c = uri.charAt(i);
                if (c == '%' && (i + 2 >= uri.length() || Character.digit(uri.charAt(i + 1), 16) < 0
                        || Character.digit(uri.charAt(i + 2), 16) < 0)) {
                    throw invalidTarget("the query has a malformed percent-escape at character " + (i + 1)
                            + " of the target: '%' must be followed by two hex digits ('%' itself is sent as %25)");
                }
            }
        }
        try {
            new URI(uri);
        } catch (URISyntaxException e) {
            throw invalidTarget("the request target is not a valid URI: " + e.getReason().toLowerCase(java.util.Locale.ROOT)
                    + (e.getIndex() >= 0 ? " at character " + (e.getIndex() + 1) : "") + "; percent-encode it");
        }
    }

    /**
     * A path without a query made of segments, each a '/' followed by at least one unreserved
     * character (RFC 3986 §2.3) or valid percent-escape: an absolute path as RFC 2396 writes it,
     * which {@code java.net.URI} always reads (PlainTargetTest checks that it does).
     */
    static boolean plainPath(String uri) {
        int n = uri.length();
        if (n < 2 || uri.charAt(0) != '/') {
            return false;
        }
        for (int i = 1; i < n; i++) {
            char c = uri.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                continue;
            }
            if (c == '/' && uri.charAt(i - 1) != '/') {
                continue; // no empty segment: "//" would start an authority
            }
            if (c == '%' && i + 2 < n && asciiHex(uri.charAt(i + 1)) && asciiHex(uri.charAt(i + 2))) {
                i += 2;
                continue;
            }
            return false;
        }
        return true;
    }

    /** Character.digit would also take other scripts' digits, which java.net.URI refuses in an escape. */
    private static boolean asciiHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /**
     * A request line over {@link #MAX_REQUEST_LINE} is refused with a 414, unless its length comes from
     * a key over {@code max-key-bytes}: that request goes on and is answered like any key over the
     * limit (400 invalid-key, after the caller's key and access were checked).
     *
     * @param segments the canonical raw segments ({@link RequestTarget#segments()})
     * @throws ProblemException 414 naming the length and the limit
     */
    static void checkRequestLine(HttpServerRequest request, List<String> segments, int maxKeyBytes) {
        int length = request.method().name().length() + 1 + request.uri().length() + 1 + "HTTP/1.1".length();
        if (length <= MAX_REQUEST_LINE || keyOverLimit(segments, maxKeyBytes)) {
            return;
        }
        throw new ProblemException(414, "uri-too-long", "URI Too Long", "the request line is " + length + " bytes; the limit is "
                + MAX_REQUEST_LINE + " bytes (a key, at most " + maxKeyBytes + " UTF-8 bytes, fits in it even when every byte is percent-encoded)");
    }

    private static boolean keyOverLimit(List<String> segments, int maxKeyBytes) {
        if (segments.size() < 4 || !segments.get(0).equals("v1") || !segments.get(1).equals("cache")) {
            return false;
        }
        // the key segment was decoded strictly by RequestTarget already, so this cannot fail
        return PathText.decode(segments.get(3), "key").getBytes(StandardCharsets.UTF_8).length > maxKeyBytes;
    }

    private static ProblemException invalidTarget(String detail) {
        return new ProblemException(400, "invalid-target", "Bad request", detail);
    }
}
