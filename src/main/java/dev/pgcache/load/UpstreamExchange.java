package dev.pgcache.load;

import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP exchange with an upstream, shared by read-through ({@link HttpSource}) and the
 * JSON-RPC proxy: HTTP/1.1, no redirects (an upstream URL comes from config only), the whole
 * exchange, body included, bounded by the timeout (the client's request timeout only covers the
 * wait for headers), the body bounded in bytes. Every failure becomes an {@link UpstreamFailure}
 * whose message names the upstream and the setting to change, never the exception's own message,
 * which may carry the URL and so a key or a query secret.
 */
public final class UpstreamExchange {

    private final String who;
    private final Duration timeout;
    private final String timeoutSetting;
    private final long maxBytes;
    private final String sizeSetting;
    private final HttpClient client;

    /**
     * @param who            the upstream as messages name it, e.g. "the upstream of namespace 'x' (http://host:port)"
     * @param timeoutSetting the property that sets the timeout, named in timeout messages
     * @param sizeSetting    the property that sets the size bound, named when an answer is larger
     */
    public UpstreamExchange(String who, Duration timeout, String timeoutSetting, long maxBytes, String sizeSetting) {
        this.who = who;
        this.timeout = timeout;
        this.timeoutSetting = timeoutSetting;
        this.maxBytes = maxBytes;
        this.sizeSetting = sizeSetting;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
    }

    /** Sends the request (its timeout set here) and waits for the whole answer, whatever its status. */
    public HttpResponse<byte[]> send(HttpRequest.Builder request) {
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(request.timeout(timeout).build(), BoundedBody.handler(maxBytes));
        try {
            return exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw timedOut();
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw failure(UpstreamFailure.Kind.UNREACHABLE, "was not waited for: interrupted");
        } catch (ExecutionException e) {
            throw classify(e.getCause());
        }
    }

    /** A failure of this upstream: "<who> <what>". */
    public UpstreamFailure failure(UpstreamFailure.Kind kind, String what) {
        return new UpstreamFailure(kind, who + " " + what);
    }

    /** 500, 502, 503 and 504 say the upstream is unwell (retried, counted against the circuit); null for any other status. */
    public UpstreamFailure serverError(int status) {
        return status == 500 || status == 502 || status == 503 || status == 504
                ? failure(UpstreamFailure.Kind.SERVER_ERROR, "answered HTTP " + status)
                : null;
    }

    private UpstreamFailure classify(Throwable cause) {
        if (cause instanceof HttpTimeoutException) {
            return timedOut();
        }
        if (cause instanceof BoundedBody.TooLarge) {
            return failure(UpstreamFailure.Kind.BAD_ANSWER, "answered with more than " + maxBytes + " bytes (" + sizeSetting + ")");
        }
        if (cause instanceof ConnectException) {
            return failure(UpstreamFailure.Kind.UNREACHABLE, "refused the connection");
        }
        return failure(UpstreamFailure.Kind.UNREACHABLE, "failed: " + cause.getClass().getSimpleName());
    }

    private UpstreamFailure timedOut() {
        return failure(UpstreamFailure.Kind.TIMEOUT, "did not answer within " + timeout.toMillis() + " ms (" + timeoutSetting + ")");
    }
}
