package dev.pgcache.rpc;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.pgcache.load.BoundedBody;
import dev.pgcache.load.Fetched;
import dev.pgcache.load.Source;
import dev.pgcache.load.UpstreamFailure;

/**
 * One POST of a JSON-RPC body to a node, without retries (those are GuardedSource's). The
 * "key" it fetches is the body, prefixed with {@link #RETRY} when the call may be repeated, or
 * {@link #ONCE} when it must not be (it sends a transaction, or does something pgcache does not
 * know): a failure of such a call is never retried, since a timeout does not say it was not done.
 * The answer must be HTTP 200 (the JSON-RPC errors travel inside it); it is read up to
 * pgcache.rpc.max-response-size and returned as text, parsed by the proxy.
 */
final class RpcClient implements Source {

    static final char RETRY = 'R';
    static final char ONCE = 'O';

    private final String upstream;
    private final URI url;
    private final String origin;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final long maxBytes;
    private final HttpClient client;

    RpcClient(String upstream, URI url, Map<String, String> headers, Duration timeout, long maxBytes) {
        this.upstream = upstream;
        this.url = url;
        this.origin = url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
    }

    @Override
    public String origin() {
        return origin;
    }

    @Override
    public Fetched fetch(String key) {
        boolean retry = key.charAt(0) == RETRY;
        try {
            return post(key.substring(1));
        } catch (UpstreamFailure f) {
            throw retry ? f : f.notRetried();
        }
    }

    private Fetched post(String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::setHeader);
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request.build(), BoundedBody.handler(maxBytes));
        HttpResponse<byte[]> response;
        try {
            response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw timedOut();
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, who() + " was not waited for: interrupted");
        } catch (ExecutionException e) {
            throw classify(e.getCause());
        }
        int status = response.statusCode();
        if (status == 500 || status == 502 || status == 503 || status == 504) {
            throw new UpstreamFailure(UpstreamFailure.Kind.SERVER_ERROR, who() + " answered HTTP " + status);
        }
        if (status != 200) {
            throw new UpstreamFailure(UpstreamFailure.Kind.BAD_STATUS, who() + " answered HTTP " + status);
        }
        byte[] bytes = response.body();
        return new Fetched.Value(new String(bytes, StandardCharsets.UTF_8), bytes.length, null);
    }

    private UpstreamFailure classify(Throwable cause) {
        if (cause instanceof HttpTimeoutException) {
            return timedOut();
        }
        if (cause instanceof BoundedBody.TooLarge) {
            return new UpstreamFailure(UpstreamFailure.Kind.BAD_ANSWER, who() + " answered with more than " + maxBytes
                    + " bytes (pgcache.rpc.max-response-size)");
        }
        if (cause instanceof ConnectException) {
            return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, who() + " refused the connection");
        }
        String kind = cause.getClass().getSimpleName(); // never the message: it may carry the URL
        return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE, who() + " failed: " + kind);
    }

    private UpstreamFailure timedOut() {
        return new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, who() + " did not answer within " + timeout.toMillis()
                + " ms (pgcache.rpc.upstreams." + upstream + ".timeout)");
    }

    private String who() {
        return "the JSON-RPC upstream '" + upstream + "' (" + origin + ")";
    }
}
