package dev.pgcache.load;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import dev.pgcache.protocol.JsonBodies;
import dev.pgcache.protocol.ProblemException;

/**
 * One GET to an HTTP upstream, without retries (those are {@link GuardedSource}'s). The whole
 * exchange, body included, is bounded by the timeout, and the body by the value size limit. The
 * answer must be 200 (or 203) with one valid JSON value, or 404; anything else is an
 * {@link UpstreamFailure}. Redirects are not followed: an upstream URL comes from config only.
 */
final class HttpSource implements Source {

    private final UrlTemplate template;
    private final Map<String, String> headers;
    private final JsonBodies json;
    private final UpstreamExchange exchange;

    HttpSource(String namespace, UrlTemplate template, Map<String, String> headers, Duration timeout, long maxBytes, JsonBodies json) {
        this.template = template;
        this.headers = Map.copyOf(headers);
        this.json = json;
        this.exchange = new UpstreamExchange("the upstream of namespace '" + namespace + "' (" + template.origin() + ")", timeout,
                "pgcache.namespaces." + namespace + ".upstream.timeout", maxBytes, "pgcache.limits.max-value-size");
    }

    @Override
    public String origin() {
        return template.origin();
    }

    @Override
    public Fetched fetch(Request key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(template.expand(key.payload())).GET().header("Accept", "application/json");
        headers.forEach(request::setHeader); // a configured Accept replaces the default
        return answer(exchange.send(request));
    }

    private Fetched answer(HttpResponse<byte[]> r) {
        int status = r.statusCode();
        if (status == 404) {
            return new Fetched.NotFound();
        }
        UpstreamFailure unwell = exchange.serverError(status);
        if (unwell != null) {
            throw unwell;
        }
        if (status != 200 && status != 203) {
            throw exchange.failure(UpstreamFailure.Kind.BAD_STATUS, "answered HTTP " + status
                    + (status >= 300 && status < 400 ? " (redirects are not followed)" : ""));
        }
        String type = r.headers().firstValue("Content-Type").orElse(null);
        if (type != null && !isJson(type)) {
            throw exchange.failure(UpstreamFailure.Kind.BAD_ANSWER, "answered with Content-Type '" + printable(type) + "', not JSON");
        }
        JsonBodies.Value value;
        try {
            value = json.checkValue(r.body());
        } catch (ProblemException e) {
            // the parser's own message may quote the body, which could echo anything: keep only its kind
            throw exchange.failure(UpstreamFailure.Kind.BAD_ANSWER, "answered with a body that is not "
                    + (e.problem().status() == 413 ? "within pgcache.limits.max-value-size" : "one valid, storable JSON value"));
        }
        return new Fetched.Value(value.json(), value.storedBytes(), OriginFreshness.of(r.headers()));
    }

    private static boolean isJson(String contentType) {
        String t = contentType.toLowerCase(Locale.ROOT);
        int semi = t.indexOf(';');
        String mime = (semi < 0 ? t : t.substring(0, semi)).trim();
        return mime.equals("application/json") || mime.endsWith("+json") || mime.endsWith("/json");
    }

    private static String printable(String s) {
        String t = s.length() > 60 ? s.substring(0, 60) + "…" : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
