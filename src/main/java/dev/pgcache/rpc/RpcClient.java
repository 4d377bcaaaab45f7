package dev.pgcache.rpc;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import dev.pgcache.load.Fetched;
import dev.pgcache.load.Source;
import dev.pgcache.load.UpstreamExchange;
import dev.pgcache.load.UpstreamFailure;

/**
 * One POST of a JSON-RPC body to a node, without retries (those are GuardedSource's). A
 * failure of a call that is not {@link Source.Request#repeatable()} (it sends a transaction, or
 * does something pgcache does not know) is marked not to be retried, since a timeout does not say
 * it was not done.
 * The answer must be HTTP 200 (the JSON-RPC errors travel inside it); it is read up to
 * pgcache.rpc.max-response-size and returned as text, parsed by the proxy. For a repeatable call,
 * an answer that says the node is unwell (HTTP 429, a body that is no JSON object or array, an
 * error of {@link NodeAnswers#UNWELL_CODES}) is a failure that counts against the node's circuit,
 * so that another node is asked; the node's JSON-RPC error is kept in it, for when none does better.
 * Such an error counts only when another node answers the same request without it
 * ({@link Request#othersDoBetter()}, asked before the circuit records this call): when every node
 * answers it so, it is the request's fault, no circuit counts it, and it is the caller's answer.
 */
final class RpcClient implements Source {

    private final URI url;
    private final String origin;
    private final Map<String, String> headers;
    private final UpstreamExchange exchange;

    RpcClient(String upstream, URI url, Map<String, String> headers, Duration timeout, long maxBytes) {
        this.url = url;
        this.origin = url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
        this.headers = Map.copyOf(headers);
        this.exchange = new UpstreamExchange("the JSON-RPC upstream '" + upstream + "' (" + origin + ")", timeout,
                "pgcache.rpc.upstreams." + upstream + ".timeout", maxBytes, "pgcache.rpc.max-response-size");
    }

    @Override
    public String origin() {
        return origin;
    }

    @Override
    public Fetched fetch(Request call) {
        try {
            Fetched.Value answer = post(call.payload());
            if (call.repeatable()) {
                checkWell(answer.json(), call);
            }
            return answer;
        } catch (UpstreamFailure f) {
            throw call.repeatable() ? f : f.notRetried();
        }
    }

    private void checkWell(String body, Request call) {
        if (!looksLikeJson(body)) {
            throw exchange.failure(UpstreamFailure.Kind.BAD_ANSWER, "answered a body that is not a JSON object or array");
        }
        Integer code = NodeAnswers.unwellCode(body);
        // the error says the node is unwell only if another node answers the same request without it: a request every node
        // answers so is the request's own fault (a caller could otherwise open every breaker with a read key), and is its answer
        if (code != null && (call.othersDoBetter() == null || call.othersDoBetter().getAsBoolean())) {
            throw UpstreamFailure.unwell("the JSON-RPC upstream at " + origin + " answered JSON-RPC error " + code
                    + ", which says the node is unwell", body);
        }
    }

    /** A cheap check (the whole answer is parsed later): first and last characters of an object or array. */
    private static boolean looksLikeJson(String body) {
        int first = 0;
        int last = body.length() - 1;
        while (first < last && Character.isWhitespace(body.charAt(first))) {
            first++;
        }
        while (last > first && Character.isWhitespace(body.charAt(last))) {
            last--;
        }
        if (first >= last) {
            return false;
        }
        char a = body.charAt(first);
        char z = body.charAt(last);
        return (a == '{' && z == '}') || (a == '[' && z == ']');
    }

    private Fetched.Value post(String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::setHeader);
        HttpResponse<byte[]> response = exchange.send(request);
        int status = response.statusCode();
        UpstreamFailure unwell = exchange.serverError(status);
        if (unwell != null) {
            throw unwell;
        }
        if (status == 429) {
            throw UpstreamFailure.unwell("the JSON-RPC upstream at " + origin + " answered HTTP 429: it limits the calls", null);
        }
        if (status != 200) {
            throw exchange.failure(UpstreamFailure.Kind.BAD_STATUS, "answered HTTP " + status);
        }
        byte[] bytes = response.body();
        return new Fetched.Value(new String(bytes, StandardCharsets.UTF_8), bytes.length, null);
    }
}
