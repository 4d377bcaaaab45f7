package dev.pgcache.api;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

import dev.pgcache.protocol.HttpDate;
import dev.pgcache.protocol.Problem;

/**
 * One HTTP/1 connection's guard, in its Netty pipeline right after the HTTP codec, so that it sees
 * each request head as the decoder read it, before Vert.x does ({@link HeadGuards} puts it there):
 * <ul>
 * <li><b>The version.</b> Only {@code HTTP/1.1} and {@code HTTP/1.0}, spelled so, are served. Netty
 * reads any {@code NAME/major.minor} (and upper-cases it), and Vert.x served such a request and
 * echoed the version in its status line ({@code HTTP/9.9 200 OK}). Another version written as
 * RFC 9112 §2.3 writes versions ({@code HTTP/2.0}, {@code HTTP/0.9}, {@code HTTP/3.0}) is a 505, but
 * a later minor version of HTTP/1 ({@code HTTP/1.2}) is served as HTTP/1.1 (RFC 9110 §2.5);
 * anything else ({@code http/1.1}, {@code HTTP/01.1}, {@code HTTP/1.10}, {@code FOO/1.1}) a 400.
 * HTTP/2's connection preface ({@code PRI * HTTP/2.0}) is a 505 too while HTTP/2 is off (the default,
 * {@code quarkus.http.http2=false}); with it on, a preface that opens the connection goes to Vert.x'
 * HTTP/2 handler before this guard is placed (and a {@link FrameGuard} goes in front of that), and
 * an {@code Upgrade: h2c} is ignored.</li>
 * <li><b>What the decoder could not read</b> (garbage after the version, a request line or headers
 * over the decoder's own limits, a malformed header line): a 400, 414 or 431 problem, where Vert.x
 * answered an empty body.</li>
 * <li><b>The head's deadline.</b> From the first byte of a request head, the whole head must have
 * arrived within {@code pgcache.limits.head-timeout}; otherwise the connection gets a 408 and is
 * closed. The idle timeout cannot bound this, since every byte resets it. Between requests (no byte
 * of a next head yet) and while a request is served (its body, its answer) the deadline is off:
 * those are the idle timeout's.</li>
 * </ul>
 * Each of these answers is written here, as HTTP/1.1, with {@code Connection: close}, and the
 * connection is closed after it: what follows on it cannot be trusted to be framed as it looks.
 * Everything runs on the connection's event loop. Should the connection switch protocols (Vert.x
 * removing the HTTP/1 codec) the guard steps aside.
 */
final class HeadGuard extends ChannelDuplexHandler {

    /** The names under which the two halves sit in the pipeline. */
    static final String NAME = "pgcache-head-guard";
    static final String FIRST_BYTE_NAME = "pgcache-head-first-byte";

    private static final HttpMethod PRI = HttpMethod.valueOf("PRI");

    private final long timeoutNanos;
    private final boolean http2;
    private ChannelHandlerContext ctx;
    /** Requests whose head arrived and whose answer is not yet written in full. */
    private int serving;
    private ScheduledFuture<?> deadline;
    /** Once refused, nothing more is read from the connection. */
    private boolean refused;
    /** A refusal waiting for the answers to the requests before it. */
    private Problem deferred;

    HeadGuard(HeadGuards.Limits limits) {
        this.timeoutNanos = limits.timeoutNanos();
        this.http2 = limits.http2();
    }

    /** The half that goes before the decoder: it sees the first byte of a head, which starts the deadline. */
    ChannelInboundHandlerAdapter firstByte() {
        return new FirstByte();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        disarm();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        disarm();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg); // a body's content, or HTTP/2 once the connection turned
            return;
        }
        disarm(); // the head is complete
        if (laterHttp1(request.protocolVersion())) {
            request.setProtocolVersion(HttpVersion.HTTP_1_1);
        }
        Problem problem = problemWith(request, http2);
        if (problem != null) {
            ReferenceCountUtil.release(msg);
            Problem answer = request.decoderResult().isFailure() ? problem : problem.at(pathOf(request));
            if (serving == 0) {
                refuse(answer);
            } else {
                refused = true; // pipelined behind requests still being answered: refused after their answers, in order
                deferred = answer;
            }
            return;
        }
        if (http2) {
            ignoreH2cUpgrade(request);
        }
        serving++;
        ctx.fireChannelRead(msg);
        if (ctx.pipeline().get(HeadGuards.ENCODER) == null) {
            stepAside(ctx); // the connection switched protocols (Vert.x removed the HTTP/1 codec): not HTTP/1 heads any more
        }
    }

    /** Leaves a connection that is no longer HTTP/1: both halves go. */
    private void stepAside(ChannelHandlerContext ctx) {
        disarm();
        ChannelPipeline pipeline = ctx.pipeline();
        if (pipeline.get(FIRST_BYTE_NAME) != null) {
            pipeline.remove(FIRST_BYTE_NAME);
        }
        if (pipeline.get(NAME) != null) {
            pipeline.remove(NAME);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        boolean answerEnds = msg instanceof LastHttpContent && serving > 0;
        if (answerEnds) {
            serving--; // an answer written in full (a FullHttpResponse is one too); the next head's deadline starts with its first byte
        }
        super.write(ctx, msg, promise);
        if (answerEnds && serving == 0 && deferred != null) {
            refuse(deferred);
        }
    }

    /** The refusal of a head, or null when it is one to serve; {@code http2}: whether HTTP/2's preface goes on to Vert.x. */
    static Problem problemWith(HttpRequest request, boolean http2) {
        if (request.decoderResult().isFailure()) {
            return unreadable(request.decoderResult().cause());
        }
        HttpVersion v = request.protocolVersion();
        if (v == HttpVersion.HTTP_1_1 || v == HttpVersion.HTTP_1_0) {
            return null; // the decoder gives its own constants only for these two spelled exactly so
        }
        if (h2Preface(request)) {
            // with HTTP/2 on, a preface that opens a cleartext connection never reaches here (Vert.x takes it first)
            return Problem.of(505, "http-version-not-supported", "HTTP Version Not Supported", http2
                    ? "HTTP/2's preface on a connection that speaks HTTP/1.1: HTTP/2 begins with a connection's first byte in cleartext "
                            + "(prior knowledge), or over TLS once ALPN has chosen h2"
                    : "the connection opens with HTTP/2's preface; HTTP/2 is off on this server (quarkus.http.http2=false): speak HTTP/1.1");
        }
        boolean spelledAsVersions = v.protocolName().equals("HTTP") && v.text().length() == "HTTP/1.1".length();
        if (spelledAsVersions && !(v.majorVersion() == 1 && v.minorVersion() <= 1)) {
            return Problem.of(505, "http-version-not-supported", "HTTP Version Not Supported", "the request is " + v.text()
                    + "; this server speaks HTTP/1.1 and HTTP/1.0" + (http2 ? ", and HTTP/2 with prior knowledge" : ""));
        }
        return Problem.of(400, "bad-request", "Bad request", "the request line's HTTP version is not written HTTP/1.1 or HTTP/1.0 "
                + "(RFC 9112 §2.3: the name in upper case, one digit on each side of the dot)");
    }

    /**
     * {@code HTTP/1.2} to {@code HTTP/1.9}: a later minor version of HTTP/1, which RFC 9110 §2.5 has
     * a server treat as the highest minor version it speaks, so it is served (and answered) as
     * HTTP/1.1.
     */
    static boolean laterHttp1(HttpVersion v) {
        return v.protocolName().equals("HTTP") && v.text().length() == "HTTP/1.1".length()
                && v.majorVersion() == 1 && v.minorVersion() > 1;
    }

    /**
     * RFC 9110 §7.8 lets a server ignore Upgrade. The h2c Upgrade (deprecated by RFC 9113 §3.1) would
     * turn the connection to HTTP/2 past both guards (Vert.x swaps the pipeline's handlers in the
     * middle of it), so with HTTP/2 on the request is served as HTTP/1.1, and HTTP/2 is spoken by
     * prior knowledge only (where the {@link FrameGuard} reads from the first frame).
     */
    private static void ignoreH2cUpgrade(HttpRequest request) {
        if (request.headers().containsValue(HttpHeaderNames.UPGRADE, "h2c", true)) {
            request.headers().remove(HttpHeaderNames.UPGRADE).remove("HTTP2-Settings");
        }
    }

    /** HTTP/2's connection preface as the HTTP/1 decoder reads it (RFC 9113 §3.4). */
    private static boolean h2Preface(HttpRequest request) {
        HttpVersion v = request.protocolVersion();
        return request.method().equals(PRI) && "*".equals(request.uri()) && v.protocolName().equals("HTTP")
                && v.majorVersion() == 2 && v.minorVersion() == 0;
    }

    private static Problem unreadable(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return Problem.of(414, "uri-too-long", "URI Too Long", "the request line is longer than "
                    + RequestHead.DECODER_MAX_REQUEST_LINE + " bytes, the most this server reads");
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return Problem.of(431, "headers-too-large", "Request Header Fields Too Large", "the request's headers are longer than "
                    + RequestHead.DECODER_MAX_HEADER_BYTES + " bytes, the most this server reads");
        }
        String why = cause == null || cause.getMessage() == null ? "it is not HTTP/1.1" : cause.getMessage();
        if (why.length() > 200) {
            why = why.substring(0, 200) + "…";
        }
        return Problem.of(400, "bad-request", "Bad request", "the request head cannot be read: " + why
                + " (a request line is METHOD SP target SP HTTP/1.1, each header line name: value)");
    }

    private static String pathOf(HttpRequest request) {
        String uri = request.uri();
        if (uri == null || !uri.startsWith("/")) {
            return null;
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        return path.length() > 512 ? null : path;
    }

    /** A byte of a head arrived while no request is being served: the deadline starts, unless it runs already. */
    void headBegins() {
        if (deadline == null && serving == 0 && !refused) {
            deadline = ctx.executor().schedule(this::timedOut, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void timedOut() {
        deadline = null;
        if (serving == 0 && !refused && ctx.channel().isActive()) {
            refuse(Problem.of(408, "request-timeout", "Request Timeout", "the request head (request line and headers) did not arrive within "
                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms of its first byte (pgcache.limits.head-timeout); the connection is closed"));
        }
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** Answers with the problem as HTTP/1.1 and closes the connection once the answer is written. */
    private void refuse(Problem problem) {
        refused = true;
        deferred = null;
        disarm();
        byte[] body = ProblemResponses.toJson(problem).getBytes(StandardCharsets.UTF_8);
        FullHttpResponse answer = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(problem.status()),
                Unpooled.wrappedBuffer(body));
        answer.headers().set(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.DATE, HttpDate.now())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }

    /** Before the decoder: the bytes of a head, seen as they come. */
    private final class FirstByte extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (ctx.pipeline().get(HeadGuards.DECODER) == null) {
                // the connection switched protocols: what follows is not HTTP/1 heads
                stepAside(ctx);
            } else if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
                headBegins();
            }
            ctx.fireChannelRead(msg);
        }
    }
}
