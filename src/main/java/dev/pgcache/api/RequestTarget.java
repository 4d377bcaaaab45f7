package dev.pgcache.api;

import java.util.ArrayList;
import java.util.List;

import dev.pgcache.protocol.ProblemException;
import dev.pgcache.entry.KeyRules;

/**
 * The request target, read once and strictly, before anything decides on it or routes it.
 *
 * <p>Why: the HTTP stack reads a path in more than one way. The router serves a normalized path
 * (RFC 3986 dot segments removed, escapes of unreserved characters decoded) and the REST layer
 * strips {@code ;matrix} parameters from segments, while anything that looks at the raw target
 * sees something else. An access decision made on one reading and routing made on another let
 * {@code //v1/…}, {@code /x/../v1/…}, {@code /%761/…}, {@code /v1;x/…}, absolute-form targets and
 * {@code sec;-public} namespaces through without a key. So only the canonical spelling is
 * accepted: a path in origin-form whose every segment is non-empty, is not a dot segment, holds
 * no {@code ;}, no backslash and no percent-escape, except the key segment of
 * {@code /v1/cache/{namespace}/{key}}, where escapes are how a key carries '/', '?', '%' or ';'.
 * For every target that passes, the router's normalized path names the same endpoint, namespace
 * and key as the raw one, so whatever is decided on this reading is what gets served.
 */
final class RequestTarget {

    /** The raw segment indexes of the namespace and the key in /v1/cache/{namespace}/{key}. */
    private static final int NAMESPACE_SEGMENT = 2;
    private static final int KEY_SEGMENT = 3;
    private static final String SWAGGER_UI_PAGE = "/q/swagger-ui/";

    private final String path;
    private final List<String> segments;

    private RequestTarget(String path, List<String> segments) {
        this.path = path;
        this.segments = segments;
    }

    /** The path, raw and canonical (no query). */
    String path() {
        return path;
    }

    List<String> segments() {
        return segments;
    }

    /**
     * Reads a raw request target ({@code HttpServerRequest.uri()}).
     *
     * @throws ProblemException 400 with a detail that says what is wrong with the spelling
     */
    static RequestTarget parse(String uri) {
        if (uri == null || uri.isEmpty() || uri.charAt(0) != '/') {
            throw refused("the request target must be a path starting with '/' (origin-form); absolute URLs, '*' and "
                    + "authority-form targets are not served here");
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        checkCharacters(path);
        if (path.equals("/")) {
            return new RequestTarget(path, List.of());
        }
        List<String> segments = new ArrayList<>(List.of(path.substring(1).split("/", -1)));
        if (path.equals(SWAGGER_UI_PAGE)) {
            segments.remove(segments.size() - 1); // the one page addressed with a trailing '/'
        }
        boolean cachePath = segments.size() > 2 && segments.get(0).equals("v1") && segments.get(1).equals("cache");
        for (int i = 0; i < segments.size(); i++) {
            String slug = !cachePath || i < NAMESPACE_SEGMENT ? "invalid-target" : i == NAMESPACE_SEGMENT ? "invalid-namespace" : "invalid-key";
            String s = segments.get(i);
            if (s.isEmpty()) {
                throw refused(slug, i == segments.size() - 1
                        ? "the path ends with '/'; leave the trailing '/' out (to act on a whole namespace: /v1/cache/{namespace})"
                        : "the path has an empty segment ('//'); a '/' inside a key is sent as %2F");
            }
            if (cachePath && i == KEY_SEGMENT) {
                checkKeySegment(s);
            } else if (cachePath && i == NAMESPACE_SEGMENT && (s.indexOf('%') >= 0 || s.indexOf(';') >= 0)) {
                throw refused(slug, "namespace '" + shortened(s) + "' does not match " + KeyRules.NAMESPACE_PATTERN
                        + "; namespaces are sent as they are, never percent-encoded or with ';' parameters");
            } else {
                checkPlainSegment(s, slug);
            }
        }
        return new RequestTarget(path, List.copyOf(segments));
    }

    private static void checkCharacters(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\') {
                throw refused("the path holds a backslash at character " + (i + 1) + "; a backslash inside a key is sent as %5C");
            }
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                throw refused("the path holds a character that must be percent-encoded at character " + (i + 1));
            }
        }
    }

    /** A segment that names an endpoint, a namespace or an upstream: plain text only. */
    private static void checkPlainSegment(String s, String slug) {
        if (s.equals(".") || s.equals("..")) {
            throw refused(slug, "a path segment is '" + s + "': dot segments are not served");
        }
        if (s.indexOf(';') >= 0) {
            throw refused(slug, "a path segment holds ';': matrix parameters are not part of this API");
        }
        if (s.indexOf('%') >= 0) {
            throw refused(slug, "the segment '" + shortened(s) + "' is percent-encoded; only the key segment of /v1/cache/{namespace}/{key} "
                    + "may hold escapes (namespaces, upstreams and endpoint names are plain)");
        }
    }

    /** The key segment: escapes allowed and checked strictly; ';' and dot keys are not. */
    private static void checkKeySegment(String s) {
        if (s.indexOf(';') >= 0) {
            throw new ProblemException(400, "invalid-key", "Bad request",
                    "the key holds ';', which HTTP servers read as the start of matrix parameters; send ';' inside a key as %3B");
        }
        String key = PathText.decode(s, "key");
        if (key.equals(".") || key.equals("..")) {
            throw new ProblemException(400, "invalid-key", "Bad request", "the key is '" + key + "': '.' and '..' cannot be a key in a "
                    + "URL path (RFC 3986 removes dot segments); use batch-get and batch-put for such a key");
        }
    }

    private static String shortened(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static ProblemException refused(String detail) {
        return refused("invalid-target", detail);
    }

    private static ProblemException refused(String slug, String detail) {
        return new ProblemException(400, slug, "Bad request", detail);
    }

}
