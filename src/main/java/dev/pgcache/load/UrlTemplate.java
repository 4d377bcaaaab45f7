package dev.pgcache.load;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.pgcache.protocol.ProblemException;

/**
 * An upstream URL template such as {@code http://node:8080/blocks/{key}?full=true}, checked once at
 * start. The key goes in percent-encoded byte by byte: every UTF-8 byte outside RFC 3986's
 * unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) becomes {@code %XX}. So a key cannot add a
 * path segment ('/'), start a query or fragment ('?', '#'), add a query parameter ('&', '='),
 * smuggle an escape ('%'), or reach the authority ('@', ':'); and since {@code {key}} may only
 * stand in the path or the query, scheme, host and port are the template's whatever the key.
 * The one thing encoding cannot neutralize is a key that is a whole dot segment ("." or ".."),
 * which servers resolve against the path; such keys are refused where {@code {key}} fills a
 * whole path segment.
 */
final class UrlTemplate {

    static final String PLACEHOLDER = "{key}";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Literal text around the placeholders: parts.size() == placeholders + 1. */
    private final List<String> parts;
    /** Whether some {key} is a whole path segment, where "." and ".." would move up the path. */
    private final boolean fillsPathSegment;
    /** scheme://host[:port], the only part of the URL that is ever logged or shown. */
    private final String origin;

    private UrlTemplate(List<String> parts, boolean fillsPathSegment, String origin) {
        this.parts = parts;
        this.fillsPathSegment = fillsPathSegment;
        this.origin = origin;
    }

    /**
     * @throws IllegalArgumentException saying what is wrong, fit for a start-up error
     */
    static UrlTemplate parse(String template) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("is empty; give an http(s) URL with {key} in its path or query");
        }
        String t = template.trim();
        if (!t.contains(PLACEHOLDER)) {
            throw new IllegalArgumentException("has no {key}; the key must go into the path or the query");
        }
        String probe = t.replace(PLACEHOLDER, "k");
        if (probe.indexOf('{') >= 0 || probe.indexOf('}') >= 0) {
            throw new IllegalArgumentException("has braces other than {key}; {key} is the only placeholder");
        }
        URI uri;
        try {
            uri = new URI(probe);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("must start with http:// or https://");
        }
        int authorityEnd = endOfAuthority(t, scheme.length() + 3);
        if (t.indexOf(PLACEHOLDER) < authorityEnd) {
            throw new IllegalArgumentException("has {key} in the scheme, host or port; it may only stand in the path or the query");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("has user information before '@'; send credentials in upstream.headers instead");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("has no valid host name");
        }
        if (uri.getRawFragment() != null || t.indexOf('#') >= 0) {
            throw new IllegalArgumentException("has a fragment ('#'); an upstream URL cannot have one");
        }
        List<String> parts = new ArrayList<>();
        boolean fillsSegment = false;
        int from = 0;
        for (int at = t.indexOf(PLACEHOLDER); at >= 0; at = t.indexOf(PLACEHOLDER, from)) {
            int query = t.indexOf('?');
            boolean inPath = query < 0 || at < query;
            int after = at + PLACEHOLDER.length();
            if (inPath && t.charAt(at - 1) == '/' && (after == t.length() || t.charAt(after) == '/' || t.charAt(after) == '?')) {
                fillsSegment = true;
            }
            parts.add(t.substring(from, at));
            from = after;
        }
        parts.add(t.substring(from));
        String origin = scheme + "://" + uri.getRawAuthority();
        return new UrlTemplate(List.copyOf(parts), fillsSegment, origin);
    }

    /** Where the authority (host and port) ends: the first '/' or '?' after "scheme://", or the end. */
    private static int endOfAuthority(String t, int start) {
        for (int i = start; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '/' || c == '?') {
                return i;
            }
        }
        return t.length();
    }

    /**
     * The URL for one key.
     *
     * @throws ProblemException for the keys "." and ".." where {key} fills a path segment
     */
    URI expand(String key) {
        if (fillsPathSegment && (key.equals(".") || key.equals(".."))) {
            throw ProblemException.badRequest("invalid-key", "the key '" + key
                    + "' cannot be loaded from this namespace's upstream: in the URL path it would be a dot segment");
        }
        String encoded = encode(key);
        StringBuilder b = new StringBuilder(parts.get(0));
        for (int i = 1; i < parts.size(); i++) {
            b.append(encoded).append(parts.get(i));
        }
        return URI.create(b.toString());
    }

    /** scheme://host[:port]: safe to log, since paths and queries may hold keys or secrets. */
    String origin() {
        return origin;
    }

    static String encode(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(bytes.length * 3);
        for (byte raw : bytes) {
            int c = raw & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return b.toString();
    }
}
