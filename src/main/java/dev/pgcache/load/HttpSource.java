package dev.pgcache.load;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.pgcache.api.JsonBodies;
import dev.pgcache.api.ProblemException;

/**
 * One GET to an HTTP upstream, without retries (those are {@link GuardedSource}'s). The whole
 * exchange, body included, is bounded by the timeout, and the body by the value size limit. The
 * answer must be 200 (or 203) with one valid JSON value, or 404; anything else is an
 * {@link UpstreamFailure}. Redirects are not followed: an upstream URL comes from config only.
 */
final class HttpSource implements Source {

    private final String namespace;
    private final UrlTemplate template;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final long maxBytes;
    private final JsonBodies json;
    private final HttpClient client;

    HttpSource(String namespace, UrlTemplate template, Map<String, String> headers, Duration timeout, long maxBytes, JsonBodies json) {
        this.namespace = namespace;
        this.template = template;
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.json = json;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
    }

    @Override
    public String origin() {
        return template.origin();
    }

    @Override
    public Fetched fetch(String key) {
        URI uri = template.expand(key);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(timeout).header("Accept", "application/json");
        headers.forEach(request::setHeader); // a configured Accept replaces the default
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request.build(), BoundedBody.handler(maxBytes));
        HttpResponse<byte[]> response;
        try {
            // the request timeout only covers the wait for headers; this covers the body too
            response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw timedOut();
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, who() + " was not waited for: the load was interrupted");
        } catch (ExecutionException e) {
            throw classify(e.getCause());
        }
        return answer(response);
    }

    private Fetched answer(HttpResponse<byte[]> r) {
        int status = r.statusCode();
        if (status == 404) {
            return new Fetched.NotFound();
        }
        if (status == 500 || status == 502 || status == 503 || status == 504) {
            throw new UpstreamFailure(UpstreamFailure.Kind.SERVER_ERROR, who() + " answered HTTP " + status);
        }
        if (status != 200 && status != 203) {
            throw new UpstreamFailure(UpstreamFailure.Kind.BAD_STATUS, who() + " answered HTTP " + status
                    + (status >= 300 && status < 400 ? " (redirects are not followed)" : ""));
        }
        String type = r.headers().firstValue("Content-Type").orElse(null);
        if (type != null && !isJson(type)) {
            throw new UpstreamFailure(UpstreamFailure.Kind.BAD_ANSWER, who() + " answered with Content-Type '"
                    + printable(type) + "', not JSON");
        }
        String text;
        try {
            text = json.checkValue(r.body());
        } catch (ProblemException e) {
            // the parser's own message may quote the body, which could echo anything: keep only its kind
            throw new UpstreamFailure(UpstreamFailure.Kind.BAD_ANSWER, who() + " answered with a body that is not "
                    + (e.problem().status() == 413 ? "within pgcache.limits.max-value-size" : "one valid, storable JSON value"));
        }
        return new Fetched.Value(text, r.body().length, OriginFreshness.of(r.headers()));
    }

    private UpstreamFailure classify(Throwable cause) {
        if (cause instanceof HttpTimeoutException) {
            return timedOut();
        }
        if (cause instanceof BoundedBody.TooLarge) {
            return new UpstreamFailure(UpstreamFailure.Kind.BAD_ANSWER, who() + " answered with more than " + maxBytes
                    + " bytes (pgcache.limits.max-value-size)");
        }
        if (cause instanceof ConnectException) {
            return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, who() + " refused the connection");
        }
        if (cause instanceof IOException) {
            // the exception's message may carry the URL (and so a key or a query secret): name its kind only
            return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, who() + " failed: " + cause.getClass().getSimpleName());
        }
        return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, who() + " failed: " + cause.getClass().getSimpleName());
    }

    private UpstreamFailure timedOut() {
        return new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, who() + " did not answer within " + timeout.toMillis()
                + " ms (pgcache.namespaces." + namespace + ".upstream.timeout)");
    }

    private String who() {
        return "the upstream of namespace '" + namespace + "' (" + template.origin() + ")";
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
